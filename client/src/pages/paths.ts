export { threadPath } from '../../../shared/paths';
