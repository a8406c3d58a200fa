/**
 * The simulator's demo directory: one corp-wide set of departments and people, shared by every hosted
 * app. Each person exists to exercise one case our server must handle (see the notes), so tests refer
 * to them through `DEMO_USERIDS` rather than by literal names.
 *
 * Visible scope is modelled as a flat flag per member and department (WeCom expands departments
 * recursively; the simulator does not need to, and a flat list keeps each case obvious).
 */

/** 1 active, 2 disabled, 4 not activated, 5 left the company (user/get `status`). */
export type MemberStatus = 1 | 2 | 4 | 5;

export interface Note {
  zh: string;
  en: string;
}

export interface DemoDepartment {
  id: number;
  name: string;
  name_en: string;
  parentid: number;
  order: number;
  department_leader: string[];
  /** Inside the hosted apps' visible scope; department/get answers 60011 otherwise. */
  visible: boolean;
}

/** Fields WeCom calls sensitive: getuserdetail (with consent) or user/get for pre-2022-06-20 apps. */
export interface SensitiveFields {
  gender?: '0' | '1' | '2';
  /** The simulator serves a generated avatar; true means the member has set one. */
  avatar?: boolean;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  address?: string;
}

export interface DemoMember {
  userid: string;
  name: string;
  department: number[];
  main_department: number;
  position: string;
  status: MemberStatus;
  alias: string;
  is_leader_in_dept: number[];
  direct_leader: string[];
  telephone: string;
  sensitive: SensitiveFields;
  /** Inside the hosted apps' visible scope; user/get answers 60011 otherwise. */
  visible: boolean;
  /** Deleted from the directory after scanning: the code still names them, user/get answers 60111. */
  deleted: boolean;
  note: Note;
}

/** A personal WeChat user who is not a member: getuserinfo answers `openid`, never `userid`. */
export interface DemoWeChatUser {
  openid: string;
  name: string;
  note: Note;
}

export const DEMO_USERIDS = {
  active: 'ZhangSan',
  withEmail: 'LiSi',
  disabled: 'wangwu',
  notActivated: 'zhaoliu',
  left: 'sunqi',
  outsideScope: 'zhouba',
  deleted: 'wujiu',
} as const;

export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { id: 1, name: '总部', name_en: 'Headquarters', parentid: 0, order: 100000000, department_leader: [], visible: true },
  { id: 2, name: '研发部', name_en: 'R&D', parentid: 1, order: 99999000, department_leader: ['LiSi'], visible: true },
  { id: 3, name: '市场部', name_en: 'Marketing', parentid: 1, order: 99998000, department_leader: [], visible: false },
];

const base = {
  alias: '',
  telephone: '',
  direct_leader: [] as string[],
  visible: true,
  deleted: false,
};

export const DEMO_MEMBERS: readonly DemoMember[] = [
  {
    ...base,
    userid: DEMO_USERIDS.active,
    name: '张三',
    department: [1, 2],
    main_department: 2,
    position: '工程师',
    status: 1,
    is_leader_in_dept: [0, 0],
    direct_leader: ['LiSi'],
    telephone: '020-12345678',
    sensitive: { gender: '1', avatar: true, mobile: '13800000001' },
    note: {
      zh: '在职成员，userid 大小写混合；没有任何邮箱，手机/头像/性别只能通过敏感信息授权或旧应用取得',
      en: 'active member with a mixed-case userid; no email at all; mobile/avatar/gender only via consent or a legacy app',
    },
  },
  {
    ...base,
    userid: DEMO_USERIDS.withEmail,
    name: '李四',
    department: [2],
    main_department: 2,
    position: '研发经理',
    status: 1,
    alias: 'Lee',
    is_leader_in_dept: [1],
    sensitive: {
      gender: '2',
      avatar: true,
      mobile: '13800000002',
      email: 'lisi@example.com',
      biz_mail: 'lisi@corp.example.com',
      address: '广州市海珠区新港中路 397 号',
    },
    note: {
      zh: '在职成员，有个人邮箱和企业邮箱、手机、头像、性别',
      en: 'active member with a personal email and a biz_mail, mobile, avatar and gender',
    },
  },
  {
    ...base,
    userid: DEMO_USERIDS.disabled,
    name: '王五',
    department: [2],
    main_department: 2,
    position: '测试',
    status: 2,
    is_leader_in_dept: [0],
    sensitive: {},
    note: { zh: '已禁用（status 2）：登录应被拒绝', en: 'disabled (status 2): sign-in must be refused' },
  },
  {
    ...base,
    userid: DEMO_USERIDS.notActivated,
    name: '赵六',
    department: [2],
    main_department: 2,
    position: '实习生',
    status: 4,
    is_leader_in_dept: [0],
    sensitive: {},
    note: { zh: '未激活（status 4）：登录应被拒绝', en: 'not activated (status 4): sign-in must be refused' },
  },
  {
    ...base,
    userid: DEMO_USERIDS.left,
    name: '孙七',
    department: [1],
    main_department: 1,
    position: '顾问',
    status: 5,
    is_leader_in_dept: [0],
    sensitive: {},
    note: { zh: '已退出企业（status 5）：登录应被拒绝', en: 'left the company (status 5): sign-in must be refused' },
  },
  {
    ...base,
    userid: DEMO_USERIDS.outsideScope,
    name: '周八',
    department: [3],
    main_department: 3,
    position: '市场专员',
    status: 1,
    is_leader_in_dept: [0],
    sensitive: { gender: '1', mobile: '13800000008' },
    visible: false,
    note: {
      zh: '不在应用可见范围内：扫码得到 userid，但读取成员返回 60011',
      en: "outside the app's visible scope: the scan yields a userid, user/get answers 60011",
    },
  },
  {
    ...base,
    userid: DEMO_USERIDS.deleted,
    name: '吴九',
    department: [2],
    main_department: 2,
    position: '工程师',
    status: 1,
    is_leader_in_dept: [0],
    sensitive: {},
    deleted: true,
    note: {
      zh: '扫码后被删除：读取成员返回 60111',
      en: 'deleted right after scanning: user/get answers 60111',
    },
  },
];

export const DEMO_WECHAT_USER: DemoWeChatUser = {
  openid: 'oSimulatorWeChatUser0123456789ab',
  name: '微信用户',
  note: {
    zh: '非企业成员（个人微信）：只返回 openid，不应被当作成员',
    en: 'not a member (personal WeChat): only an openid comes back; never treat as a member',
  },
};
