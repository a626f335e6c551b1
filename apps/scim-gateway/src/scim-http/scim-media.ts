export const SCIM_MEDIA_TYPE = 'application/scim+json; charset=utf-8';
