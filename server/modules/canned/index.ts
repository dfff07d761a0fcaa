// What other modules may use of canned responses: the macros' send_canned step loads one the
// runner may use and fills it as the composer does.
export { loadCanned } from './access';
export { fillVariables, type FillValues } from './fill';
export { fillValuesFor } from './texts';
