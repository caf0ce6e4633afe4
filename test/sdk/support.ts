import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/server.ts';

export const sdkFile = path.join(repoRoot, 'sdk', 'dist', 'huaxiang.min.js');

/** Builds the SDK into sdk/dist when no build is there yet (a fresh clone's `npm ci` normally has). */
export function ensureSdkBuilt(): void {
  if (fs.existsSync(sdkFile)) return;
  const r = spawnSync('npm', ['run', 'build:sdk'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  assert.equal(r.status, 0, `npm run build:sdk failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Segment's analytics.js snippet (SNIPPET_VERSION 5.2.0, minified, as Segment's docs hand it out) with one
 * change, the one a migrating shop makes: the CDN host `https://cdn.segment.com` becomes Huaxiang's host.
 */
export function segmentSnippet(writeKey: string, host: string): string {
  const k = JSON.stringify(writeKey);
  return (
    `!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src="https://cdn.segment.com/analytics.js/v1/" + key + "/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};analytics._writeKey=${k};;analytics.SNIPPET_VERSION="5.2.0";\n` +
    `analytics.load(${k});\nanalytics.page();\n}}();`
  ).replace('https://cdn.segment.com', host);
}
