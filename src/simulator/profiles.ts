/**
 * How a demo member looks through each API. The split mirrors WeCom's privacy rules: user/get gives
 * the directory fields to every app, but the sensitive ones (avatar, gender, mobile, email, biz_mail,
 * address) only to apps created before 2022-06-20; getuserdetail gives them after in-client consent,
 * and only those the member actually has.
 */
import type { DemoDepartment, DemoMember } from './directory.js';

/** Where the simulator serves generated pictures, so that no demo page reaches outside the machine. */
export interface MediaUrls {
  avatar(userid: string): string;
  qrCode(userid: string): string;
}

export function mediaUrls(origin: string, basePath: string): MediaUrls {
  const at = (kind: string, userid: string) => `${origin}${basePath}/media/${kind}/${encodeURIComponent(userid)}.svg`;
  return { avatar: (userid) => at('avatar', userid), qrCode: (userid) => at('qr', userid) };
}

function sensitiveFields(member: DemoMember, media: MediaUrls): Record<string, string> {
  const { sensitive } = member;
  const fields: Record<string, string> = {};
  if (sensitive.gender) fields.gender = sensitive.gender;
  if (sensitive.avatar) fields.avatar = media.avatar(member.userid);
  if (sensitive.mobile) fields.mobile = sensitive.mobile;
  if (sensitive.email) fields.email = sensitive.email;
  if (sensitive.biz_mail) fields.biz_mail = sensitive.biz_mail;
  if (sensitive.address) fields.address = sensitive.address;
  return fields;
}

export function userGetFields(member: DemoMember, options: { legacyContactFields: boolean; media: MediaUrls }): Record<string, unknown> {
  return {
    userid: member.userid,
    name: member.name,
    department: [...member.department],
    main_department: member.main_department,
    position: member.position,
    status: member.status,
    alias: member.alias,
    is_leader_in_dept: [...member.is_leader_in_dept],
    direct_leader: [...member.direct_leader],
    telephone: member.telephone,
    ...(options.legacyContactFields ? sensitiveFields(member, options.media) : {}),
  };
}

export function userDetailFields(member: DemoMember, media: MediaUrls): Record<string, unknown> {
  return { userid: member.userid, ...sensitiveFields(member, media), qr_code: media.qrCode(member.userid) };
}

export function departmentFields(department: DemoDepartment): Record<string, unknown> {
  return {
    department: {
      id: department.id,
      name: department.name,
      name_en: department.name_en,
      department_leader: [...department.department_leader],
      parentid: department.parentid,
      order: department.order,
    },
  };
}
