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
} from '@app/persistence';
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
import { prepareClass, prepareEnrollment } from './rostering.rules';
import { prepareResult } from './result.rules';

const R = '/ims/oneroster/rostering/v1p2';
const ref = (entity: CollectionDef['entity'], sourcedId: unknown, field: string) => ({
  entity,
  sourcedId: sourcedId as string | null,
  field,
});

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
    'primaryOrg.sourcedId': str('primaryOrgSourcedId'),
  },
  search: ['givenName', 'familyName', 'email'],
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
  fields: { ...BASE_FIELDS, name: str('name'), type: str('type'), identifier: str('identifier'), 'parent.sourcedId': str('parentSourcedId') },
  search: ['name'],
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
  fields: { ...BASE_FIELDS, title: str('title'), courseCode: str('courseCode'), 'org.sourcedId': str('orgSourcedId') },
  search: ['title', 'courseCode'],
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
  references: (d) => [ref(Course, d.courseSourcedId, 'class.course')],
  prepareWrite: prepareClass,
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
  references: (d) => [ref(User, d.userSourcedId, 'enrollment.user'), ref(SchoolClass, d.classSourcedId, 'enrollment.class')],
  prepareWrite: prepareEnrollment,
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
    'course.sourcedId': str('courseSourcedId'),
    'parent.sourcedId': str('parentSourcedId'),
  },
  references: (d) => [
    ref(Course, d.courseSourcedId, 'courseComponent.course'),
    ref(CourseComponent, d.parentSourcedId, 'courseComponent.parent'),
  ],
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
  references: (d) => [
    ref(CourseComponent, d.courseComponentSourcedId, 'componentResource.courseComponent'),
    ref(Resource, d.resourceSourcedId, 'componentResource.resource'),
  ],
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
  references: (d) => [
    ref(AssessmentLineItem, d.parentSourcedId, 'assessmentLineItem.parentAssessmentLineItem'),
    ref(ComponentResource, d.componentResourceSourcedId, 'assessmentLineItem.componentResource'),
  ],
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
    'assessmentLineItem.sourcedId': str('lineItemSourcedId'),
    'student.sourcedId': str('studentSourcedId'),
  },
  references: (d) => [
    ref(AssessmentLineItem, d.lineItemSourcedId, 'assessmentResult.assessmentLineItem'),
    ref(User, d.studentSourcedId, 'assessmentResult.student'),
  ],
  prepareWrite: prepareResult,
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
