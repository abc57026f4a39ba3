import {
  AssessmentLineItem,
  AssessmentResult,
  ComponentResource,
  Course,
  CourseComponent,
  Enrollment,
  Org,
  Resource,
  SchoolClass,
  User,
} from '@external-tests/persistence';
import { lineItemMapper, resultMapper } from '../mappers/gradebook.mappers';
import {
  classMapper,
  componentResourceMapper,
  courseComponentMapper,
  courseMapper,
  enrollmentMapper,
  orgMapper,
  resourceMapper,
  userMapper,
} from '../mappers/rostering.mappers';
import { BASE_FIELDS, bool, date, num, str } from '../query/field-spec';
import { CollectionDef } from './collection-def';
import { lockOrgWrites, orgChildren, prepareOrg, schoolOfClass, schoolOfCourse } from './rostering.rules';
import { prepareResult } from './result.rules';
import { prepareLineItem } from './line-item.rules';

const R = '/ims/oneroster/rostering/v1p2';

export const USERS: CollectionDef<User> = {
  plural: 'users',
  singular: 'user',
  path: `${R}/users`,
  specListPath: `${R}/users/`,
  specOnePath: `${R}/users/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Users',
  entity: User,
  from: userMapper.from,
  to: userMapper.to,
  fields: {
    ...BASE_FIELDS,
    givenName: str('givenName'),
    familyName: str('familyName'),
    middleName: str('middleName'),
    email: str('email'),
    username: str('username'),
    identifier: str('identifier'),
    enabledUser: bool('enabledUser'),
    role: str('role'),
    userMasterIdentifier: str('userMasterIdentifier'),
    preferredFirstName: str('preferredFirstName'),
    preferredMiddleName: str('preferredMiddleName'),
    preferredLastName: str('preferredLastName'),
    pronouns: str('pronouns'),
    sms: str('sms'),
    phone: str('phone'),
    'primaryOrg.sourcedId': str('primaryOrgSourcedId'),
  },
  search: ['givenName', 'familyName', 'email'],
  references: { 'roles[].org': Org, primaryOrg: Org, 'agents[]': User },
};

export const ORGS: CollectionDef<Org> = {
  plural: 'orgs',
  singular: 'org',
  path: `${R}/orgs`,
  specListPath: `${R}/orgs/`,
  specOnePath: `${R}/orgs/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Orgs',
  entity: Org,
  from: orgMapper.from,
  to: orgMapper.to,
  fields: {
    ...BASE_FIELDS,
    name: str('name'),
    type: str('type'),
    identifier: str('identifier'),
    'parent.sourcedId': str('parentSourcedId'),
  },
  search: ['name'],
  references: { parent: Org },
  lockBeforeWrite: lockOrgWrites,
  prepareWrite: prepareOrg,
  derived: { fields: ['children'], fill: orgChildren },
  // Its parent chain does not come back to it (rostering.rules.ts).
  ruled: ['parent'],
};

export const COURSES: CollectionDef<Course> = {
  plural: 'courses',
  singular: 'course',
  path: `${R}/courses`,
  specListPath: `${R}/courses/`,
  specOnePath: `${R}/courses/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Courses',
  entity: Course,
  from: courseMapper.from,
  to: courseMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    courseCode: str('courseCode'),
    gradingScheme: str('gradingScheme'),
    'org.sourcedId': str('orgSourcedId'),
  },
  search: ['title', 'courseCode'],
  references: { org: Org },
};

export const CLASSES: CollectionDef<SchoolClass> = {
  plural: 'classes',
  singular: 'class',
  path: `${R}/classes`,
  specListPath: `${R}/classes/`,
  specOnePath: `${R}/classes/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Classes',
  entity: SchoolClass,
  from: classMapper.from,
  to: classMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    classCode: str('classCode'),
    classType: str('classType'),
    location: str('location'),
    'course.sourcedId': str('courseSourcedId'),
    'school.sourcedId': str('schoolSourcedId'),
  },
  search: ['title'],
  references: { course: Course, org: Org, school: Org },
  // The spec's PUT class body cannot carry course or org: an update keeps them, a new class derives its school.
  needs: [
    { prop: 'title', field: 'title', why: 'a class has a title' },
    { prop: 'courseSourcedId', field: 'course', why: 'a class belongs to a course' },
    {
      prop: 'schoolSourcedId',
      field: 'school',
      why: 'a class belongs to a school (given as school or org)',
      derive: schoolOfCourse,
    },
  ],
};

export const ENROLLMENTS: CollectionDef<Enrollment> = {
  plural: 'enrollments',
  singular: 'enrollment',
  path: `${R}/enrollments`,
  specListPath: `${R}/enrollments/`,
  specOnePath: `${R}/enrollments/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Enrollments',
  entity: Enrollment,
  from: enrollmentMapper.from,
  to: enrollmentMapper.to,
  fields: {
    ...BASE_FIELDS,
    role: str('role'),
    primary: bool('primary'),
    beginDate: str('beginDate'),
    endDate: str('endDate'),
    'user.sourcedId': str('userSourcedId'),
    'class.sourcedId': str('classSourcedId'),
    'school.sourcedId': str('schoolSourcedId'),
  },
  // No names of its own: its user's and class's ids, and its role.
  search: ['user.sourcedId', 'class.sourcedId', 'role'],
  references: { user: User, class: SchoolClass, school: Org },
  needs: [
    { prop: 'schoolSourcedId', field: 'school', why: 'an enrollment belongs to a school', derive: schoolOfClass },
  ],
};

export const COURSE_COMPONENTS: CollectionDef<CourseComponent> = {
  plural: 'courseComponents',
  singular: 'courseComponent',
  path: `${R}/courses/components`,
  specListPath: `${R}/courses/components`,
  specOnePath: `${R}/courses/components/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Course components',
  entity: CourseComponent,
  from: courseComponentMapper.from,
  to: courseComponentMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    sortOrder: num('sortOrder'),
    unlockDate: str('unlockDate'),
    prerequisiteCriteria: str('prerequisiteCriteria'),
    'course.sourcedId': str('courseSourcedId'),
    'parent.sourcedId': str('parentSourcedId'),
  },
  search: ['title'],
  references: { course: Course, parent: CourseComponent, courseComponent: CourseComponent },
  integers: ['sortOrder'],
};

export const COMPONENT_RESOURCES: CollectionDef<ComponentResource> = {
  plural: 'componentResources',
  singular: 'componentResource',
  path: `${R}/courses/component-resources`,
  specListPath: `${R}/courses/component-resources`,
  specOnePath: `${R}/courses/component-resources/{sourcedId}`,
  area: 'roster',
  tag: 'OneRoster - Component resources (lessons)',
  entity: ComponentResource,
  from: componentResourceMapper.from,
  to: componentResourceMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    sortOrder: num('sortOrder'),
    lessonType: str('lessonType'),
    'courseComponent.sourcedId': str('courseComponentSourcedId'),
    'resource.sourcedId': str('resourceSourcedId'),
  },
  search: ['title'],
  references: { courseComponent: CourseComponent, resource: Resource },
  integers: ['sortOrder'],
};

export const RESOURCES: CollectionDef<Resource> = {
  plural: 'resources',
  singular: 'resource',
  path: '/ims/oneroster/resources/v1p2/resources',
  specListPath: '/ims/oneroster/resources/v1p2/resources/',
  specOnePath: '/ims/oneroster/resources/v1p2/resources/{sourcedId}',
  area: 'resource',
  tag: 'OneRoster - Resources',
  entity: Resource,
  from: resourceMapper.from,
  to: resourceMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    importance: str('importance'),
    vendorResourceId: str('vendorResourceId'),
    vendorId: str('vendorId'),
    applicationId: str('applicationId'),
  },
  search: ['title'],
  // The spec's PUT resource body requires nothing: an update keeps these, a new resource needs a title.
  needs: [
    { prop: 'title', field: 'title', why: 'a resource has a title' },
    {
      prop: 'vendorResourceId',
      field: 'vendorResourceId',
      why: 'a resource has a vendorResourceId',
      derive: (_em, d) => Promise.resolve({ value: d.sourcedId }),
    },
  ],
};

export const LINE_ITEMS: CollectionDef<AssessmentLineItem> = {
  plural: 'assessmentLineItems',
  singular: 'assessmentLineItem',
  path: '/ims/oneroster/gradebook/v1p2/assessmentLineItems',
  specListPath: '/ims/oneroster/gradebook/v1p2/assessmentLineItems/',
  specOnePath: '/ims/oneroster/gradebook/v1p2/assessmentLineItems/{sourcedId}',
  area: 'gradebook',
  tag: 'OneRoster - Assessment line items',
  entity: AssessmentLineItem,
  from: lineItemMapper.from,
  to: lineItemMapper.to,
  fields: {
    ...BASE_FIELDS,
    title: str('title'),
    description: str('description'),
    resultValueMin: num('resultValueMin'),
    resultValueMax: num('resultValueMax'),
    'class.sourcedId': str('classSourcedId'),
    'parentAssessmentLineItem.sourcedId': str('parentSourcedId'),
    'component.sourcedId': str('componentSourcedId'),
    'componentResource.sourcedId': str('componentResourceSourcedId'),
  },
  search: ['title'],
  references: {
    class: SchoolClass,
    parentAssessmentLineItem: AssessmentLineItem,
    component: CourseComponent,
    componentResource: ComponentResource,
  },
  prepareWrite: (_em, data) => prepareLineItem(data),
  // resultValueMin is at most resultValueMax (line-item.rules.ts).
  ruled: ['resultValueMin'],
};

export const RESULTS: CollectionDef<AssessmentResult> = {
  plural: 'assessmentResults',
  singular: 'assessmentResult',
  path: '/ims/oneroster/gradebook/v1p2/assessmentResults',
  specListPath: '/ims/oneroster/gradebook/v1p2/assessmentResults/',
  specOnePath: '/ims/oneroster/gradebook/v1p2/assessmentResults/{sourcedId}',
  area: 'gradebook',
  tag: 'OneRoster - Assessment results',
  entity: AssessmentResult,
  from: resultMapper.from,
  to: resultMapper.to,
  fields: {
    ...BASE_FIELDS,
    score: num('score'),
    textScore: str('textScore'),
    scoreDate: date('scoreDate'),
    scorePercentile: num('scorePercentile'),
    scoreStatus: str('scoreStatus'),
    comment: str('comment'),
    inProgress: str('inProgress'),
    incomplete: str('incomplete'),
    late: str('late'),
    missing: str('missing'),
    'assessmentLineItem.sourcedId': str('lineItemSourcedId'),
    'student.sourcedId': str('studentSourcedId'),
  },
  // No names of its own: its student's and line item's ids, its status and its comment.
  search: ['student.sourcedId', 'assessmentLineItem.sourcedId', 'scoreStatus', 'comment'],
  references: { assessmentLineItem: AssessmentLineItem, student: User },
  prepareWrite: prepareResult,
  // The score lies within the line item's range; the scoreDate is at most a day ahead (result.rules.ts).
  ruled: ['score', 'scoreDate'],
};

/** Order matters for routing: the courses/* collections must be registered before courses/{sourcedId}. */
export const COLLECTIONS: CollectionDef[] = [
  COURSE_COMPONENTS,
  COMPONENT_RESOURCES,
  USERS,
  ORGS,
  COURSES,
  CLASSES,
  ENROLLMENTS,
  RESOURCES,
  LINE_ITEMS,
  RESULTS,
];
