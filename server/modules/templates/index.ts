// What other modules may use of the templates module.
export { upsertListedTemplate } from './repo';
export { presentTemplate, type PresentedTemplate } from './present';
