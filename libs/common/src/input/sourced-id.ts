/**
 * The longest sourcedId this service stores or takes: one limit for the OneRoster writes that create objects and
 * the PowerPath parameters that name them, so every object that can be made can also be named. Characters are counted
 * as class-validator's `MaxLength` counts them (a surrogate pair is one, a variation selector none), in the DTOs and in the hand-written checks alike.
 */
export const MAX_SOURCED_ID_LENGTH = 255;
