// Shown for a page the signed-in role may not open (e.g. an admin URL typed by a USER).
import { Link } from '@tanstack/react-router';
import { usePageTitle } from '../components/ui.js';

export function NotAllowedPage() {
  usePageTitle('Not allowed');
  return (
    <section className="card notice-page" aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>This page is for administrators. Your account does not have access to it.</p>
      <p>
        <Link to="/projects">Back to your projects</Link>
      </p>
    </section>
  );
}
