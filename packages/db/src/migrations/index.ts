// The static list of migrations, so they work bundled and never depend on a directory scan.
// Append only: a landed migration is never edited.
import type { Migration } from 'kysely/migration';
import * as createAuthTables from './2026_11_26_2330_create_auth_tables.js';
import * as createDomainTables from './2026_11_26_2345_create_domain_tables.js';
import * as addPasswordVersion from './2026_12_01_2000_add_password_version.js';
import * as addSearchIndexes from './2026_12_01_2010_add_search_indexes.js';
import * as addAuditTargetIndex from './2026_12_01_2020_add_audit_target_index.js';
import * as addNameSortCollation from './2026_12_02_0300_add_name_sort_collation.js';
import * as addActivityIndexes from './2026_12_02_0310_add_activity_indexes.js';
import * as addAccountLifecycle from './2026_12_02_0400_add_account_lifecycle.js';
import * as addInvitations from './2026_12_02_0500_add_invitations.js';
import * as addEmailChangeTokens from './2026_12_02_0600_add_email_change_tokens.js';
import * as addTeams from './2026_12_02_0650_add_teams.js';
import * as addTeamProjectNames from './2026_12_02_0710_add_team_project_names.js';
import * as addApiKeys from './2026_12_02_0800_add_api_keys.js';
import * as addTwoStep from './2026_12_02_1100_add_two_step.js';
import * as addIdentities from './2026_12_02_1110_add_identities.js';
import * as addSessionLimits from './2026_12_02_1200_add_session_limits.js';
import * as addSsoChallenges from './2026_12_02_1215_add_sso_challenges.js';

export const migrations: Record<string, Migration> = {
  '2026_11_26_2330_create_auth_tables': createAuthTables,
  '2026_11_26_2345_create_domain_tables': createDomainTables,
  '2026_12_01_2000_add_password_version': addPasswordVersion,
  '2026_12_01_2010_add_search_indexes': addSearchIndexes,
  '2026_12_01_2020_add_audit_target_index': addAuditTargetIndex,
  '2026_12_02_0300_add_name_sort_collation': addNameSortCollation,
  '2026_12_02_0310_add_activity_indexes': addActivityIndexes,
  '2026_12_02_0400_add_account_lifecycle': addAccountLifecycle,
  '2026_12_02_0500_add_invitations': addInvitations,
  '2026_12_02_0600_add_email_change_tokens': addEmailChangeTokens,
  '2026_12_02_0650_add_teams': addTeams,
  '2026_12_02_0710_add_team_project_names': addTeamProjectNames,
  '2026_12_02_0800_add_api_keys': addApiKeys,
  '2026_12_02_1100_add_two_step': addTwoStep,
  '2026_12_02_1110_add_identities': addIdentities,
  '2026_12_02_1200_add_session_limits': addSessionLimits,
  '2026_12_02_1215_add_sso_challenges': addSsoChallenges,
};
