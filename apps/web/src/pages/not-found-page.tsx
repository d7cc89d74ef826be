// Shown for a path the dashboard has no page for.
import { Link } from '@tanstack/react-router';
import { usePageTitle } from '../components/ui.js';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <section className="card notice-page" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>There is no page at this address.</p>
      <p>
        <Link to="/projects">Go to your projects</Link>
      </p>
    </section>
  );
}
