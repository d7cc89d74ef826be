// Account: profile, email and password change, the ways to sign in (password, single sign-on),
// two-step verification, and the active sessions (revoke one, or sign out everywhere).
import { usePageTitle } from '../../components/ui.js';
import { EmailForm } from './email-form.js';
import { PasswordForm } from './password-form.js';
import { ProfileForm } from './profile-form.js';
import { SessionsTable } from './sessions-table.js';
import { SignInMethodsSection } from './sign-in-methods-section.js';
import { TwoStepSection } from './two-step-section.js';

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
      <SignInMethodsSection />
      <TwoStepSection />
      <SessionsTable />
    </section>
  );
}
