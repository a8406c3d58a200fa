/**
 * The simulator's directory as it is now: the demo people (directory.ts) copied per simulator, then
 * changed by the admin page, its JSON API or tests, the way a WeCom admin changes the real one.
 * Every API answer (user/get, getuserdetail, getuserinfo's user_ticket) and every page reads from
 * here, so a change is seen at once, and each change is reported as the member-change event WeCom
 * would call back with (成员变更通知, page 90970).
 *
 * A deleted member stays listed (user/get answers 60111 for them) until a new person is given the
 * same userid; userids are compared case-insensitively, as WeCom does.
 */
import { DEMO_DEPARTMENTS, DEMO_MEMBERS, type DemoDepartment, type DemoMember, type MemberStatus } from './directory.js';

/** WeCom's userid alphabet: 1-64 of letters, digits and `_-@.` (page 90195). */
export const USERID_PATTERN = /^[A-Za-z0-9_\-@.]{1,64}$/;

/**
 * What changed, in the terms of WeCom's callback: `fields` are the event's own elements after
 * ChangeType (UserID first). `visibleBefore`/`visibleAfter` decide which apps hear of it: WeCom
 * tells an app about members it may see, and about one leaving its sight.
 */
export interface MemberChange {
  changeType: 'create_user' | 'update_user' | 'delete_user';
  userid: string;
  fields: Record<string, string | number>;
  visibleBefore: boolean;
  visibleAfter: boolean;
}

export type DirectoryErrorCode = 'not_found' | 'invalid' | 'conflict' | 'unchanged';

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

export interface NewMember {
  userid: string;
  name: string;
  /** Department ids; default [1] (headquarters). */
  department?: number[];
  position?: string;
  /** Default 1: the simulator skips the invitation, so the new person can sign in at once. */
  status?: MemberStatus;
  /** Default true. */
  visible?: boolean;
}

const STATUSES: readonly MemberStatus[] = [1, 2, 4, 5];

/** The profile elements WeCom puts in create_user (for apps created after 2022-06-20: no contact fields). */
function profileFields(member: DemoMember): Record<string, string | number> {
  return {
    Name: member.name,
    Department: member.department.join(','),
    MainDepartment: member.main_department,
    IsLeaderInDept: member.is_leader_in_dept.join(','),
    DirectLeader: member.direct_leader.join(','),
    Position: member.position,
    Status: member.status,
    Alias: member.alias,
    Telephone: member.telephone,
  };
}

export class LiveDirectory {
  private members: DemoMember[] = structuredClone(DEMO_MEMBERS) as DemoMember[];
  private readonly departments: readonly DemoDepartment[] = DEMO_DEPARTMENTS;
  /** WeCom lets a userid be changed once. */
  private readonly renamed = new WeakSet<DemoMember>();

  constructor(private readonly onChange: (change: MemberChange) => void = () => {}) {}

  /** Everyone, deleted members included, in directory order (a snapshot: changing it changes nothing). */
  list(): DemoMember[] {
    return structuredClone(this.members);
  }

  /** The member holding this userid now (case-insensitive), deleted or not (a snapshot). */
  find(userid: string): DemoMember | undefined {
    const member = this.lookup(userid);
    return member && structuredClone(member);
  }

  department(id: number): DemoDepartment | undefined {
    return this.departments.find((department) => department.id === id);
  }

  setMemberStatus(userid: string, status: MemberStatus): MemberChange {
    if (!STATUSES.includes(status)) throw new DirectoryError('invalid', `status must be one of ${STATUSES.join(', ')}`);
    const member = this.existing(userid);
    if (member.status === status) throw new DirectoryError('unchanged', `${member.userid} already has status ${status}`);
    member.status = status;
    return this.report('update_user', member, { UserID: member.userid, Status: status });
  }

  disableMember(userid: string): MemberChange {
    return this.setMemberStatus(userid, 2);
  }

  enableMember(userid: string): MemberChange {
    return this.setMemberStatus(userid, 1);
  }

  deleteMember(userid: string): MemberChange {
    const member = this.existing(userid);
    const change = this.report('delete_user', member, { UserID: member.userid }, { visibleAfter: false });
    member.deleted = true;
    return change;
  }

  /**
   * In or out of the apps' visible scope. WeCom reports the member's move as a member change; the
   * simulator models scope as a flag, so the event carries only the UserID and the receiver re-reads
   * the member (user/get then answers 60011).
   */
  moveOutOfScope(userid: string): MemberChange {
    return this.setVisible(userid, false);
  }

  moveIntoScope(userid: string): MemberChange {
    return this.setVisible(userid, true);
  }

  private setVisible(userid: string, visible: boolean): MemberChange {
    const member = this.existing(userid);
    if (member.visible === visible) {
      throw new DirectoryError('unchanged', `${member.userid} is already ${visible ? 'inside' : 'outside'} the visible scope`);
    }
    const visibleBefore = member.visible;
    member.visible = visible;
    return this.report('update_user', member, { UserID: member.userid }, { visibleBefore });
  }

  /** The userid changes, the person does not: the old userid answers 60111 from now on. */
  renameMember(userid: string, newUserid: string): MemberChange {
    const member = this.existing(userid);
    if (!USERID_PATTERN.test(newUserid)) {
      throw new DirectoryError('invalid', 'a userid is 1-64 letters, digits and _-@.');
    }
    if (this.renamed.has(member)) throw new DirectoryError('conflict', `${member.userid} was renamed once already; WeCom allows one change`);
    const holder = this.lookup(newUserid);
    if (holder && holder !== member && !holder.deleted) throw new DirectoryError('conflict', `${holder.userid} is taken`);
    if (holder === member) throw new DirectoryError('unchanged', `${member.userid} already has that userid`);
    if (holder) this.members = this.members.filter((other) => other !== holder);
    const oldUserid = member.userid;
    member.userid = newUserid;
    this.renamed.add(member);
    return this.report('update_user', member, { UserID: oldUserid, NewUserID: newUserid }, { userid: oldUserid });
  }

  /** A new person; a deleted member's userid may be given again (the old person is gone for good). */
  addMember(input: NewMember): MemberChange {
    if (!USERID_PATTERN.test(input.userid)) throw new DirectoryError('invalid', 'a userid is 1-64 letters, digits and _-@.');
    const name = input.name.trim();
    if (!name || name.length > 64) throw new DirectoryError('invalid', 'a name is 1-64 characters');
    const department = input.department ?? [1];
    if (department.length === 0 || department.some((id) => !this.department(id))) {
      throw new DirectoryError('invalid', `departments must be among ${this.departments.map((d) => d.id).join(', ')}`);
    }
    const status = input.status ?? 1;
    if (!STATUSES.includes(status)) throw new DirectoryError('invalid', `status must be one of ${STATUSES.join(', ')}`);
    const holder = this.lookup(input.userid);
    if (holder && !holder.deleted) throw new DirectoryError('conflict', `${holder.userid} is taken`);
    const member: DemoMember = {
      userid: input.userid,
      name,
      department: [...department],
      main_department: department[0]!,
      position: input.position?.trim() ?? '',
      status,
      alias: '',
      is_leader_in_dept: department.map(() => 0),
      direct_leader: [],
      telephone: '',
      sensitive: {},
      visible: input.visible ?? true,
      deleted: false,
      note: holder
        ? { zh: `新成员，沿用已删除成员的 userid ${holder.userid}`, en: `a new person given the deleted member's userid ${holder.userid}` }
        : { zh: '在模拟器管理页添加的成员', en: "added on the simulator's directory page" },
    };
    this.members = holder ? this.members.map((other) => (other === holder ? member : other)) : [...this.members, member];
    return this.report('create_user', member, { UserID: member.userid, ...profileFields(member) }, { visibleBefore: false });
  }

  /** A member still in the directory; deleted ones cannot be changed, only replaced by `addMember`. */
  private existing(userid: string): DemoMember {
    const member = this.lookup(userid);
    if (!member || member.deleted) throw new DirectoryError('not_found', `no member ${userid} in the directory`);
    return member;
  }

  private lookup(userid: string): DemoMember | undefined {
    const wanted = userid.toLowerCase();
    return this.members.find((member) => member.userid.toLowerCase() === wanted);
  }

  private report(
    changeType: MemberChange['changeType'],
    member: DemoMember,
    fields: Record<string, string | number>,
    overrides: { visibleBefore?: boolean; visibleAfter?: boolean; userid?: string } = {},
  ): MemberChange {
    const change: MemberChange = {
      changeType,
      userid: overrides.userid ?? member.userid,
      fields,
      visibleBefore: overrides.visibleBefore ?? member.visible,
      visibleAfter: overrides.visibleAfter ?? member.visible,
    };
    this.onChange(change);
    return change;
  }
}
