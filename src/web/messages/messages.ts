/**
 * Every sentence a person reads on our pages, in both languages, in one place. Messages speak to
 * the person signing in; where an administrator must act, the page says so and names the fix.
 */
export const messages = {
  'app.name': { 'zh-CN': '企业微信登录', en: 'Sign in with WeCom' },
  'brand.logo_alt': { 'zh-CN': '{name} 标志', en: '{name} logo' },
  'lang.switch_label': { 'zh-CN': '语言', en: 'Language' },
  'footer.privacy': { 'zh-CN': '隐私政策', en: 'Privacy policy' },
  'login.title': { 'zh-CN': '登录', en: 'Sign in' },
  'login.to_client': { 'zh-CN': '登录到 {client}', en: 'Sign in to {client}' },
  'login.choose': { 'zh-CN': '请选择登录方式', en: 'Choose how to sign in' },
  'login.with': { 'zh-CN': '使用{name}登录', en: 'Sign in with {name}' },
  'login.scan_instead': { 'zh-CN': '改用扫码登录', en: 'Scan a QR code instead' },
  'login.cancel': { 'zh-CN': '取消并返回应用', en: 'Cancel and return to the app' },
  'login.panel_title': { 'zh-CN': '企业微信扫码登录', en: 'Scan with WeCom to sign in' },
  'login.panel_loading': { 'zh-CN': '正在加载企业微信二维码…', en: 'Loading the WeCom QR code…' },
  'phone.title': { 'zh-CN': '在企业微信或电脑上继续', en: 'Continue in WeCom or on a computer' },
  'phone.heading': { 'zh-CN': '请在企业微信中或电脑上继续登录', en: 'Continue in WeCom or on a computer' },
  'phone.explain': {
    'zh-CN': '你正在手机浏览器中登录 {client}。企业微信登录需要扫描二维码，而手机无法扫描自己屏幕上的二维码。',
    en: 'You are signing in to {client} in a phone browser. Signing in with WeCom means scanning a QR code, and a phone cannot scan its own screen.',
  },
  'phone.in_wecom': {
    'zh-CN': '在企业微信中打开应用（例如把下面的链接发给自己再点开），将自动登录，无需扫码；',
    en: 'Open the app inside WeCom (for example, send yourself the link below and tap it there): you are signed in without scanning;',
  },
  'phone.on_pc': {
    'zh-CN': '或者在电脑浏览器中打开这个链接，再用手机上的企业微信扫码。',
    en: 'or open the link in a browser on a computer and scan the QR code with WeCom on your phone.',
  },
  'phone.link_label': { 'zh-CN': '{client} 的地址', en: 'Address of {client}' },
  'phone.copy': { 'zh-CN': '复制链接', en: 'Copy link' },
  'phone.copied': { 'zh-CN': '已复制', en: 'Copied' },
  'phone.copy_failed': { 'zh-CN': '无法自动复制，请长按链接手动复制', en: 'Could not copy; press and hold the link to copy it' },
  'phone.show_qr': { 'zh-CN': '仍然显示二维码', en: 'Show the QR code anyway' },
  'consent.title': { 'zh-CN': '授权', en: 'Authorize' },
  'consent.heading': { 'zh-CN': '{client} 请求访问你的以下信息', en: '{client} asks to access' },
  'consent.allow': { 'zh-CN': '允许', en: 'Allow' },
  'consent.deny': { 'zh-CN': '拒绝', en: 'Deny' },
  'consent.signed_in_as': { 'zh-CN': '当前登录：{name}', en: 'Signed in as {name}' },
  'rate_limited.title': { 'zh-CN': '请求过于频繁', en: 'Too many requests' },
  'rate_limited.message': {
    'zh-CN': '请求过于频繁，请在 {seconds} 秒后重试。',
    en: 'Too many requests from your network. Please try again in {seconds} seconds.',
  },
  'scope.openid': { 'zh-CN': '你的账号标识', en: 'Your account identifier' },
  'scope.profile': { 'zh-CN': '姓名、账号、头像', en: 'Your name, username and picture' },
  'scope.email': { 'zh-CN': '邮箱地址', en: 'Your email address' },
  'scope.phone': { 'zh-CN': '手机号', en: 'Your phone number' },
  'scope.wecom': { 'zh-CN': '企业微信账号、部门与职务', en: 'Your WeCom userid, departments and position' },
  'scope.offline_access': { 'zh-CN': '在你离开后继续访问（刷新令牌）', en: 'Access while you are away (refresh token)' },
  'scope.claims': { 'zh-CN': '其他信息：{claims}', en: 'Other details: {claims}' },
  'error.title': { 'zh-CN': '登录未完成', en: 'Sign-in did not complete' },
  'error.retry': { 'zh-CN': '重新登录', en: 'Try again' },
  'error.back_to_app': { 'zh-CN': '返回应用', en: 'Back to the app' },
  'error.reference': { 'zh-CN': '错误代码：{code}', en: 'Error code: {code}' },
  'error.ask_admin': {
    'zh-CN': '请联系管理员，并告知下方的请求编号，管理员可据此在日志中查到原因。',
    en: 'Ask your administrator for help and quote the request ID below: it lets them find the cause in the log.',
  },
  'error.request_id': { 'zh-CN': '请求编号：{id}', en: 'Request ID: {id}' },
  'error.interaction_expired': {
    'zh-CN': '本次登录已过期或无法识别（可能打开得太久，或在另一个浏览器中打开）。请返回应用重新登录。',
    en: 'This sign-in has expired or cannot be found (it may have been open too long, or opened in another browser). Go back to the app and sign in again.',
  },
  'error.state_missing': {
    'zh-CN': '企业微信返回的信息不完整（缺少 state）。请重新登录。',
    en: 'WeCom sent us back without the expected state. Please start again.',
  },
  'error.state_unknown': {
    'zh-CN': '这个登录链接已经使用过或已过期。请重新登录。',
    en: 'This sign-in link has already been used or has expired. Please start again.',
  },
  'error.state_mismatch': {
    'zh-CN': '这个登录结果不属于当前的登录请求。为了安全，请重新登录。',
    en: 'This sign-in result belongs to a different sign-in attempt. For your safety, please start again.',
  },
  'error.unknown_connection': { 'zh-CN': '没有这种登录方式。', en: 'There is no such sign-in method.' },
  'error.cancelled_title': { 'zh-CN': '已取消登录', en: 'Sign-in cancelled' },
  'error.cancelled': {
    'zh-CN': '你在企业微信中取消了登录。可以重新扫码，或返回应用。',
    en: 'You cancelled the sign-in in WeCom. You can scan again, or go back to the app.',
  },
  'error.code_invalid': {
    'zh-CN': '企业微信的登录码已失效（超过 5 分钟或已使用）。请重新扫码登录。',
    en: 'The WeCom sign-in code has expired (after 5 minutes) or was already used. Please scan again.',
  },
  'error.non_member': {
    'zh-CN': '你使用的是个人微信账号，不是本企业的成员，无法登录。请使用企业微信扫码。',
    en: 'You scanned with a personal WeChat account, which is not a member of this organisation. Scan with the WeCom app instead.',
  },
  'error.member_disabled': {
    'zh-CN': '你的企业微信账号已被管理员禁用，无法登录。如有疑问请联系管理员。',
    en: 'Your WeCom account has been disabled by an administrator, so you cannot sign in. Contact your administrator.',
  },
  'error.member_not_activated': {
    'zh-CN': '你的企业微信账号尚未激活。请先在企业微信中完成激活再登录。',
    en: 'Your WeCom account has not been activated yet. Activate it in WeCom first, then sign in.',
  },
  'error.member_left': {
    'zh-CN': '企业微信显示你已离开本企业，无法登录。',
    en: 'WeCom shows that you have left this organisation, so you cannot sign in.',
  },
  'error.member_status': {
    'zh-CN': '你的企业微信账号当前状态不允许登录（状态 {status}）。',
    en: 'Your WeCom account is in a state that does not allow sign-in (status {status}).',
  },
  'error.out_of_scope': {
    'zh-CN': '你不在此应用的可见范围内，无法登录。请联系管理员将你加入应用的可见范围。',
    en: "You are not in this app's visible scope in WeCom. Ask your administrator to add you to the app's visible scope.",
  },
  'error.member_not_found': {
    'zh-CN': '企业微信中找不到你的成员信息（可能已被删除）。请联系管理员。',
    en: 'WeCom has no member record for you (it may have been deleted). Contact your administrator.',
  },
  'error.account_disabled': {
    'zh-CN': '你的账号已被停用。请联系管理员。',
    en: 'Your account has been disabled. Contact your administrator.',
  },
  'error.not_provisioned': {
    'zh-CN': '你的账号尚未开通。请联系管理员为你开通后再登录。',
    en: 'Your account has not been set up. Ask your administrator to set it up for you.',
  },
  'error.ambiguous_match': {
    'zh-CN': '有多个账号与你的企业微信信息相符，无法确定哪一个属于你，因此没有登录。请联系管理员处理。',
    en: 'More than one account matches your WeCom details, so we cannot tell which is yours and did not sign you in. Contact your administrator.',
  },
  'error.no_account_to_bind': {
    'zh-CN': '这次登录没有关联任何已有账号。请使用你已有账号的登录方式，或返回重新选择。',
    en: 'That sign-in is not linked to any existing account. Use the sign-in method of your existing account, or go back and choose again.',
  },
  'error.bind_expired': {
    'zh-CN': '账号关联的选择已过期。请重新登录。',
    en: 'The account-linking choice has expired. Please sign in again.',
  },
  'error.connection_not_offered': {
    'zh-CN': '此应用不提供这种登录方式。',
    en: 'This app does not offer that sign-in method.',
  },
  'bind.title': { 'zh-CN': '关联账号', en: 'Link your account' },
  'bind.heading': {
    'zh-CN': '{name}，你的企业微信账号还没有关联到任何账号',
    en: '{name}, your WeCom account is not linked to an account yet',
  },
  'bind.existing': { 'zh-CN': '我已有账号：用{connection}登录以确认', en: 'I already have an account: confirm with {connection}' },
  'bind.create': { 'zh-CN': '创建新账号', en: 'Create a new account' },
  'bind.explain': {
    'zh-CN': '如果你已有账号，请用该账号的登录方式确认，两种登录方式将关联到同一个账号。',
    en: 'If you already have an account, confirm it by signing in the way you use for it; both sign-ins will then lead to the same account.',
  },
  'error.wecom_configuration': {
    'zh-CN': '企业微信登录的配置有误，暂时无法登录。',
    en: 'Sign-in with WeCom is misconfigured and cannot work right now.',
  },
  'error.wecom_unavailable': {
    'zh-CN': '企业微信暂时没有响应。请稍后重试。',
    en: 'WeCom did not answer in time. Please try again in a moment.',
  },
  'error.generic': {
    'zh-CN': '登录过程中出现了问题。请返回应用重新登录。',
    en: 'Something went wrong during sign-in. Go back to the app and try again.',
  },
  'error.oidc': {
    'zh-CN': '应用发出的登录请求无效。',
    en: 'The app sent an invalid sign-in request.',
  },
  'error.not_found': { 'zh-CN': '页面不存在。', en: 'This page does not exist.' },
  'not_found.title': { 'zh-CN': '找不到页面', en: 'Page not found' },
  'not_found.message': {
    'zh-CN': '这个地址没有内容。如果你正在登录某个应用，请回到该应用重新登录。',
    en: 'There is nothing at this address. If you were signing in to an app, go back to the app and sign in again.',
  },
  'home.link': { 'zh-CN': '登录服务首页', en: 'Sign-in service home' },
  'home.title': { 'zh-CN': '企业微信登录服务', en: 'WeCom sign-in service' },
  'home.message': {
    'zh-CN': '这里是 {host} 的企业微信登录服务，供公司的各个应用使用。请打开你要使用的应用，选择“使用企业微信登录”。',
    en: "This is {host}'s sign-in service for the company's apps, using WeCom. Open the app you want to use and choose to sign in with WeCom.",
  },
  'logout.title': { 'zh-CN': '退出登录', en: 'Sign out' },
  'logout.question': { 'zh-CN': '要退出 {host} 的登录吗？', en: 'Do you want to sign out of {host}?' },
  'logout.yes': { 'zh-CN': '退出登录', en: 'Yes, sign me out' },
  'logout.no': { 'zh-CN': '保持登录', en: 'No, stay signed in' },
  'logout.done': { 'zh-CN': '你已退出登录。', en: 'You have signed out.' },
  'logout.done_client': { 'zh-CN': '你已退出 {client} 的登录。', en: 'You have signed out of {client}.' },
} as const satisfies Record<string, { 'zh-CN': string; en: string }>;

export type MessageKey = keyof typeof messages;
