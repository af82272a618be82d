/** The document shell around every page. */

import type { AppProps } from "../server/app.ts";

export default function App({ Component }: AppProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>StreamBoard</title>
        {/* No favicon: without this the browser asks for /favicon.ico, which the app has not. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/styles.css" />
        <script type="module" src="/_app/client.js" defer />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
