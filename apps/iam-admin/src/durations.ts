/** One day in milliseconds, for lifetimes given in days (admin and SCIM tokens' expiresInDays). */
export const DAY_MS = 24 * 60 * 60 * 1000;
