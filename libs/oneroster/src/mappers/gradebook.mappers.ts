import type { AssessmentLineItem, AssessmentResult } from '@external-tests/persistence';
import { baseFrom, baseTo, iso, OneRosterJson, optionalRef, refId } from './common';

export const lineItemMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      title: j.title,
      description: j.description ?? null,
      classSourcedId: refId(j.class),
      parentSourcedId: refId(j.parentAssessmentLineItem),
      componentSourcedId: refId(j.component),
      componentResourceSourcedId: refId(j.componentResource),
      scoreScale: j.scoreScale ?? null,
      resultValueMin: j.resultValueMin ?? null,
      resultValueMax: j.resultValueMax ?? null,
      learningObjectiveSet: j.learningObjectiveSet ?? null,
    }),
  to: (e: AssessmentLineItem) =>
    Object.assign(baseTo(e), {
      title: e.title,
      description: e.description ?? null,
      ...optionalRef('class', e.classSourcedId),
      ...optionalRef('parentAssessmentLineItem', e.parentSourcedId),
      ...optionalRef('scoreScale', e.scoreScale?.sourcedId),
      resultValueMin: e.resultValueMin ?? null,
      resultValueMax: e.resultValueMax ?? null,
      ...optionalRef('component', e.componentSourcedId),
      ...optionalRef('componentResource', e.componentResourceSourcedId),
      learningObjectiveSet: e.learningObjectiveSet ?? null,
    }),
};

/** Results never carry the sealed test credentials: they are not part of the mapping at all. */
export const resultMapper = {
  from: (j: OneRosterJson) =>
    Object.assign(baseFrom(j), {
      lineItemSourcedId: refId(j.assessmentLineItem)!,
      studentSourcedId: refId(j.student)!,
      score: j.score ?? null,
      textScore: j.textScore ?? null,
      scoreDate: new Date(j.scoreDate),
      scoreScale: j.scoreScale ?? null,
      scorePercentile: j.scorePercentile ?? null,
      scoreStatus: j.scoreStatus,
      comment: j.comment ?? null,
      learningObjectiveSet: j.learningObjectiveSet ?? null,
      inProgress: j.inProgress ?? null,
      incomplete: j.incomplete ?? null,
      late: j.late ?? null,
      missing: j.missing ?? null,
    }),
  to: (e: AssessmentResult) =>
    Object.assign(baseTo(e), {
      metadata: { ...(e.metadata ?? {}), attempt: e.attempt },
      assessmentLineItem: { sourcedId: e.lineItemSourcedId },
      student: { sourcedId: e.studentSourcedId },
      score: e.score ?? null,
      textScore: e.textScore ?? null,
      scoreDate: iso(e.scoreDate)!,
      ...optionalRef('scoreScale', e.scoreScale?.sourcedId),
      scorePercentile: e.scorePercentile ?? null,
      scoreStatus: e.scoreStatus,
      comment: e.comment ?? null,
      learningObjectiveSet: e.learningObjectiveSet ?? null,
      inProgress: e.inProgress ?? null,
      incomplete: e.incomplete ?? null,
      late: e.late ?? null,
      missing: e.missing ?? null,
    }),
};
