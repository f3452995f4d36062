/** Shown in a browser that has no (or a refused) access token: how to get a working URL. */
export function TokenPage({ refused = false }: { refused?: boolean }) {
  return (
    <main className="token-page" data-testid="token-page">
      <h1>Orrery</h1>
      <p>{refused ? 'The server refused this access token (it changes each time the server starts).' : 'This page needs an access token.'}</p>
      <p>
        Open the URL printed by <code>npm run serve</code> (it carries the access token): paste it into this tab&apos;s address bar, no reload needed.
      </p>
    </main>
  );
}
