// The thread URL is shared with the server (server-rendered pages, sitemap, feeds).
export { threadPath } from '../../../shared/paths';
