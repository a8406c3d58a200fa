/**
 * The shapes of WeCom's successful answers, checked at the edge.
 *
 * Field names are WeCom's (snake_case, lower-case `userid`/`openid` of the current `auth/*` APIs).
 * Required fields are the ones a login cannot do without; every other field is optional and a
 * wrongly-typed optional field is dropped rather than failing the login, because WeCom returns
 * fewer fields over time (apps created after 2022-06-20 get no contact fields from user/get).
 */
import { z } from 'zod';
import { WeComTransportError } from './errors.js';
import type { WeComJson } from './http.js';

export type WeComGender = '0' | '1' | '2';

/** `user/get` (doc 90196). */
export interface WeComMember {
  userid: string;
  name?: string;
  /** Department ids the member belongs to. */
  department: number[];
  /** Sort order within each department, parallel to `department`. */
  order?: number[];
  main_department?: number;
  position?: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left: only 1 may sign in. */
  status: number;
  alias?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  telephone?: string;
  open_userid?: string;
  external_position?: string;
  // Only for apps created before 2022-06-20:
  email?: string;
  biz_mail?: string;
  mobile?: string;
  avatar?: string;
  thumb_avatar?: string;
  gender?: WeComGender;
  address?: string;
}

/** `auth/getuserdetail` (doc 95833): only fields the admin enabled and the member consented to. */
export interface WeComUserDetail {
  userid: string;
  gender?: WeComGender;
  avatar?: string;
  qr_code?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  address?: string;
}

/** `department/get`. */
export interface WeComDepartment {
  id: number;
  name: string;
  name_en?: string;
  parentid: number;
  order: number;
}

const optionalString = z.string().optional().catch(undefined);
const optionalInt = z.number().int().optional().catch(undefined);
const optionalIntArray = z.array(z.number().int()).optional().catch(undefined);
/** WeCom sends gender as a string ("1"); tolerate a number, drop anything else. */
const optionalGender = z
  .preprocess((value) => (typeof value === 'number' ? String(value) : value), z.enum(['0', '1', '2']))
  .optional()
  .catch(undefined);

export const gettokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

export const getuserinfoAnswer = z.object({
  userid: optionalString,
  user_ticket: optionalString,
  openid: optionalString,
  external_userid: optionalString,
});

export const memberAnswer: z.ZodType<WeComMember> = z.object({
  userid: z.string().min(1),
  name: optionalString,
  department: z.array(z.number().int()).catch([]),
  order: optionalIntArray,
  main_department: optionalInt,
  position: optionalString,
  status: z.number().int(),
  alias: optionalString,
  is_leader_in_dept: optionalIntArray,
  direct_leader: z.array(z.string()).optional().catch(undefined),
  telephone: optionalString,
  open_userid: optionalString,
  external_position: optionalString,
  email: optionalString,
  biz_mail: optionalString,
  mobile: optionalString,
  avatar: optionalString,
  thumb_avatar: optionalString,
  gender: optionalGender,
  address: optionalString,
});

export const userDetailAnswer: z.ZodType<WeComUserDetail> = z.object({
  userid: z.string().min(1),
  gender: optionalGender,
  avatar: optionalString,
  qr_code: optionalString,
  mobile: optionalString,
  email: optionalString,
  biz_mail: optionalString,
  address: optionalString,
});

export const departmentAnswer = z.object({
  department: z.object({
    id: z.number().int(),
    name: z.string(),
    name_en: optionalString,
    parentid: z.number().int().catch(0),
    order: z.number().int().catch(0),
  }),
});

/**
 * Validates an answer. A mismatch means we are not talking to the WeCom we know (a proxy, a changed
 * API), so it is a transport-level failure; it names only our schema's field paths, never values.
 */
export function parseAnswer<Output>(schema: z.ZodType<Output>, answer: WeComJson, api: string): Output {
  const result = schema.safeParse(answer);
  if (result.success) return result.data;
  const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
  throw new WeComTransportError(api, 'invalid_response', `answer has missing or invalid fields: ${fields}`);
}
