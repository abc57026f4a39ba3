import type {
  Course,
  CourseComponent,
  ComponentResource,
  Enrollment,
  Org,
  Resource,
  SchoolClass,
  User,
  UserRole,
} from '@external-tests/persistence';
import {
  baseFrom,
  baseTo,
  bool,
  guidRef,
  HrefContext,
  iso,
  OneRosterJson,
  optionalRef,
  refId,
  sortOrderOf,
} from './common';

/** OneRoster JSON ⇄ entity data, one pair per object type. Entities never leave a service as a body. */
export const orgMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      name: j.name,
      type: j.type,
      identifier: j.identifier ?? null,
      parentSourcedId: refId(j.parent),
    }),
  to: (e: Org, ctx: HrefContext) =>
    Object.assign(baseTo(e), {
      name: e.name,
      type: e.type,
      identifier: e.identifier ?? '',
      ...(e.parentSourcedId ? { parent: guidRef(ctx, 'org', e.parentSourcedId) } : {}),
      children: [],
    }),
};

export const userMapper = {
  from: (j: OneRosterJson) => {
    const roles = (j.roles ?? []) as UserRole[];
    const primary = roles.find((r) => r.roleType === 'primary') ?? roles[0];
    return Object.assign(baseFrom(j), {
      enabledUser: bool(j.enabledUser) ?? true,
      givenName: j.givenName,
      familyName: j.familyName,
      middleName: j.middleName ?? null,
      email: j.email ?? null,
      username: j.username ?? null,
      identifier: j.identifier ?? null,
      userMasterIdentifier: j.userMasterIdentifier ?? null,
      roles,
      role: primary?.role ?? null,
      primaryOrgSourcedId: refId(j.primaryOrg) ?? primary?.org?.sourcedId ?? null,
      userIds: j.userIds ?? [],
      agents: j.agents ?? [],
      grades: j.grades ?? [],
      preferredFirstName: j.preferredFirstName ?? null,
      preferredMiddleName: j.preferredMiddleName ?? null,
      preferredLastName: j.preferredLastName ?? null,
      pronouns: j.pronouns ?? null,
      sms: j.sms ?? null,
      phone: j.phone ?? null,
    });
  },
  to: (e: User, ctx: HrefContext) =>
    Object.assign(baseTo(e), {
      userMasterIdentifier: e.userMasterIdentifier ?? null,
      username: e.username ?? null,
      userIds: e.userIds,
      enabledUser: String(e.enabledUser),
      givenName: e.givenName,
      familyName: e.familyName,
      middleName: e.middleName ?? null,
      roles: e.roles.map((r) => ({ ...r, org: guidRef(ctx, 'org', r.org.sourcedId) })),
      agents: e.agents.map((a) => guidRef(ctx, 'user', a.sourcedId)),
      userProfiles: [],
      ...(e.primaryOrgSourcedId ? { primaryOrg: guidRef(ctx, 'org', e.primaryOrgSourcedId) } : {}),
      identifier: e.identifier ?? null,
      email: e.email ?? null,
      preferredFirstName: e.preferredFirstName ?? null,
      preferredMiddleName: e.preferredMiddleName ?? null,
      preferredLastName: e.preferredLastName ?? null,
      pronouns: e.pronouns ?? null,
      grades: e.grades,
      sms: e.sms ?? null,
      phone: e.phone ?? null,
    }),
};

export const courseMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      courseCode: j.courseCode ?? null,
      grades: j.grades ?? [],
      subjects: j.subjects ?? [],
      subjectCodes: j.subjectCodes ?? [],
      orgSourcedId: refId(j.org),
      schoolYearSourcedId: refId(j.schoolYear),
      level: j.level ?? null,
      gradingScheme: j.gradingScheme ?? null,
    }),
  to: (e: Course, ctx: HrefContext) =>
    Object.assign(baseTo(e), {
      title: e.title,
      ...(e.schoolYearSourcedId ? { schoolYear: guidRef(ctx, 'academicSession', e.schoolYearSourcedId) } : {}),
      courseCode: e.courseCode ?? null,
      grades: e.grades,
      subjects: e.subjects,
      subjectCodes: e.subjectCodes,
      org: { sourcedId: e.orgSourcedId ?? '' },
      level: e.level ?? null,
      gradingScheme: e.gradingScheme ?? null,
    }),
};

export const classMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      classCode: j.classCode ?? null,
      classType: j.classType ?? 'scheduled',
      location: j.location ?? null,
      courseSourcedId: refId(j.course),
      schoolSourcedId: refId(j.school) ?? refId(j.org),
      terms: j.terms ?? [],
      grades: j.grades ?? [],
      subjects: j.subjects ?? [],
      subjectCodes: j.subjectCodes ?? [],
      periods: j.periods ?? [],
    }),
  to: (e: SchoolClass, ctx: HrefContext) =>
    Object.assign(baseTo(e), {
      title: e.title,
      classCode: e.classCode ?? null,
      classType: e.classType,
      location: e.location ?? null,
      grades: e.grades,
      subjects: e.subjects,
      course: guidRef(ctx, 'course', e.courseSourcedId ?? ''),
      school: guidRef(ctx, 'org', e.schoolSourcedId ?? ''),
      terms: e.terms.map((t) => guidRef(ctx, 'term', t.sourcedId)),
      subjectCodes: e.subjectCodes,
      periods: e.periods,
      resources: [],
    }),
};

export const enrollmentMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      role: j.role,
      // The spec's default when the body leaves it out.
      primary: bool(j.primary) ?? false,
      beginDate: j.beginDate ?? null,
      endDate: j.endDate ?? null,
      userSourcedId: refId(j.user)!,
      classSourcedId: refId(j.class)!,
      schoolSourcedId: refId(j.school),
    }),
  to: (e: Enrollment, ctx: HrefContext) =>
    Object.assign(baseTo(e), {
      role: e.role,
      primary: String(e.primary),
      beginDate: e.beginDate ?? null,
      endDate: e.endDate ?? null,
      user: guidRef(ctx, 'user', e.userSourcedId),
      class: guidRef(ctx, 'class', e.classSourcedId),
      school: guidRef(ctx, 'org', e.schoolSourcedId ?? ''),
    }),
};

export const courseComponentMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      courseSourcedId: refId(j.course)!,
      parentSourcedId: refId(j.parent) ?? refId(j.courseComponent),
      sortOrder: sortOrderOf(j.sortOrder, 'courseComponent.sortOrder'),
      prerequisites: j.prerequisites ?? [],
      prerequisiteCriteria: j.prerequisiteCriteria ?? null,
      unlockDate: j.unlockDate ?? null,
    }),
  to: (e: CourseComponent) =>
    Object.assign(baseTo(e), {
      title: e.title,
      course: { sourcedId: e.courseSourcedId },
      ...optionalRef('courseComponent', e.parentSourcedId),
      ...optionalRef('parent', e.parentSourcedId),
      sortOrder: e.sortOrder,
      prerequisites: e.prerequisites,
      prerequisiteCriteria: e.prerequisiteCriteria ?? null,
      // Required by the schema: a component without an unlock date has been unlocked since it was written.
      unlockDate: e.unlockDate ?? iso(e.dateLastModified)!,
    }),
};

export const resourceMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      roles: j.roles ?? [],
      importance: j.importance ?? null,
      vendorResourceId: j.vendorResourceId ?? null,
      vendorId: j.vendorId ?? null,
      applicationId: j.applicationId ?? null,
    }),
  to: (e: Resource) =>
    Object.assign(baseTo(e), {
      title: e.title,
      roles: e.roles,
      ...(e.importance ? { importance: e.importance } : {}),
      vendorResourceId: e.vendorResourceId,
      vendorId: e.vendorId ?? null,
      applicationId: e.applicationId ?? null,
    }),
};

export const componentResourceMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      courseComponentSourcedId: refId(j.courseComponent)!,
      resourceSourcedId: refId(j.resource)!,
      sortOrder: sortOrderOf(j.sortOrder, 'componentResource.sortOrder'),
      lessonType: j.lessonType ?? null,
    }),
  to: (e: ComponentResource) =>
    Object.assign(baseTo(e), {
      title: e.title,
      courseComponent: { sourcedId: e.courseComponentSourcedId },
      resource: { sourcedId: e.resourceSourcedId },
      sortOrder: e.sortOrder,
      ...(e.lessonType ? { lessonType: e.lessonType } : {}),
    }),
};
