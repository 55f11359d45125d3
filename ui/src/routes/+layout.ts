// A static single-page app: nothing renders on a server, the one page is prerendered.
export const ssr = false;
export const prerender = true;
