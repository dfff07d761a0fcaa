// What other modules may use of the lexicon module.
export type { InboundText, Lexicon, Screened } from './screen';
