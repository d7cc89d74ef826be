// Browser entry: create the session (restoring it from the refresh cookie) and the router, and render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { createSession } from './lib/session.js';
import { createAppRouter } from './router.js';
import './styles.css';

const session = createSession();
// Started before the first render so the restore and the bundle's remaining work overlap.
void session.restore();
const router = createAppRouter();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App session={session} router={router} />
  </StrictMode>,
);
