export { en } from './es.js';
