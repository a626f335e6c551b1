/**
 * Queue names shared by the two services. The SCIM gateway produces provisioning commands,
 * the IAM admin service consumes them. Values are kebab-case and part of the wire contract:
 * renaming one strands the jobs already in Redis.
 */
export enum QueueName {
  ProvisioningCommands = 'provisioning-commands',
}
