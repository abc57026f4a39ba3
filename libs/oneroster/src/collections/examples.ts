/**
 * One realistic body per collection for PUT (and the sourcedId of GET one), shown in Swagger UI: each is an object
 * of `fixtures/demo.json` as it is there, so trying it on `npm start` replaces it with itself.
 */
export const EXAMPLES: Record<string, Record<string, unknown>> = {
  user: {
    sourcedId: 'student-mt-1',
    status: 'active',
    enabledUser: true,
    givenName: 'Maya',
    familyName: 'Track',
    email: 'maya.track@demo.example.org',
    roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-demo' } }],
    grades: ['3'],
  },
  org: { sourcedId: 'org-demo', status: 'active', name: 'Demo Academy', type: 'school', identifier: 'DEMO' },
  course: {
    sourcedId: 'course-math-4',
    status: 'active',
    title: 'Math Grade 4',
    courseCode: 'MATH4',
    grades: ['4'],
    subjects: ['Math'],
    org: { sourcedId: 'org-demo' },
  },
  class: {
    sourcedId: 'class-math-4-a',
    status: 'active',
    title: 'Math 4 A',
    classType: 'scheduled',
    course: { sourcedId: 'course-math-4' },
    org: { sourcedId: 'org-demo' },
    terms: [],
  },
  enrollment: {
    sourcedId: 'enrollment-teacher-1-math-4-a',
    status: 'active',
    role: 'teacher',
    user: { sourcedId: 'teacher-1' },
    class: { sourcedId: 'class-math-4-a' },
  },
  courseComponent: {
    sourcedId: 'unit-math-4-tests',
    status: 'active',
    title: 'Grade 4 external tests',
    course: { sourcedId: 'course-math-4' },
    sortOrder: 1,
  },
  componentResource: {
    sourcedId: 'lesson-mt-test-out',
    status: 'active',
    title: 'Math 4 test-out (MasteryTrack)',
    courseComponent: { sourcedId: 'unit-math-4-tests' },
    resource: { sourcedId: 'resource-mt-test-out' },
    sortOrder: 1,
    lessonType: 'test-out',
  },
  resource: {
    sourcedId: 'resource-edu-unit-test',
    status: 'active',
    title: 'Edulastic Math grade 4 unit-test',
    vendorResourceId: 'edu-math-4-unit-test',
    vendorId: '65a1f0c2e4b0a1b2c3d4e502',
    importance: 'primary',
    metadata: {
      toolProvider: 'edulastic',
      lessonType: 'unit-test',
      subject: 'Math',
      grades: ['4'],
      vendorId: '65a1f0c2e4b0a1b2c3d4e502',
      courseIdOnFail: 'course-math-remedial',
    },
  },
  // A class's homework, not an external test lesson's: the assignment flow keeps the line items of its lessons.
  assessmentLineItem: {
    sourcedId: 'li-math-4-homework',
    status: 'active',
    title: 'Math 4 homework',
    class: { sourcedId: 'class-math-4-a' },
    resultValueMin: 0,
    resultValueMax: 100,
  },
  assessmentResult: {
    sourcedId: 'result-math-4-homework-eddie',
    status: 'active',
    assessmentLineItem: { sourcedId: 'li-math-4-homework' },
    student: { sourcedId: 'student-edu-1' },
    score: 85,
    scoreDate: '2026-11-26T10:00:00.000Z',
    scoreStatus: 'fully graded',
  },
};

/**
 * The POST bodies: new objects (a POST of an existing sourcedId is 422), referring only to demo objects, so each
 * works once on `npm start` whatever was tried before.
 */
export const NEW_EXAMPLES: Record<string, Record<string, unknown>> = {
  user: {
    sourcedId: 'student-new-1',
    status: 'active',
    enabledUser: true,
    givenName: 'Grace',
    familyName: 'Hopper',
    email: 'grace.hopper@demo.example.org',
    roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-demo' } }],
    grades: ['4'],
  },
  org: { sourcedId: 'org-demo-2', status: 'active', name: 'Demo Middle School', type: 'school', identifier: 'DEMO2' },
  course: {
    sourcedId: 'course-science-4',
    status: 'active',
    title: 'Science Grade 4',
    courseCode: 'SCI4',
    grades: ['4'],
    subjects: ['Science'],
    org: { sourcedId: 'org-demo' },
  },
  class: { ...EXAMPLES.class, sourcedId: 'class-math-4-b', title: 'Math 4 B' },
  enrollment: {
    sourcedId: 'enrollment-student-edu-1-math-4-a',
    status: 'active',
    role: 'student',
    user: { sourcedId: 'student-edu-1' },
    class: { sourcedId: 'class-math-4-a' },
  },
  courseComponent: {
    sourcedId: 'unit-math-4-practice',
    status: 'active',
    title: 'Grade 4 practice',
    course: { sourcedId: 'course-math-4' },
    sortOrder: 2,
  },
  componentResource: {
    sourcedId: 'lesson-math-4-practice',
    status: 'active',
    title: 'Math 4 practice unit test (MasteryTrack)',
    courseComponent: { sourcedId: 'unit-math-4-tests' },
    resource: { sourcedId: 'resource-mt-unit-test' },
    sortOrder: 7,
  },
  resource: {
    sourcedId: 'resource-edu-math-4-quiz',
    status: 'active',
    title: 'Edulastic Math grade 4 quiz',
    vendorResourceId: 'edu-math-4-quiz',
    importance: 'primary',
  },
  assessmentLineItem: { ...EXAMPLES.assessmentLineItem, sourcedId: 'li-math-4-quiz', title: 'Math 4 quiz' },
  assessmentResult: {
    ...EXAMPLES.assessmentResult,
    sourcedId: 'result-math-4-homework-maya',
    student: { sourcedId: 'student-mt-1' },
  },
};
