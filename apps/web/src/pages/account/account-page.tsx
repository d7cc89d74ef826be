// Account: profile, email and password change, and the active sessions (revoke one, or sign out everywhere).
import { usePageTitle } from '../../components/ui.js';
import { EmailForm } from './email-form.js';
import { PasswordForm } from './password-form.js';
import { ProfileForm } from './profile-form.js';
import { SessionsTable } from './sessions-table.js';

export function AccountPage() {
  usePageTitle('Account');
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <div className="grid-2">
        <ProfileForm />
        <EmailForm />
        <PasswordForm />
      </div>
      <SessionsTable />
    </section>
  );
}
