/**
 * Where an unpointed New note goes now lives with the method's other rules (shared/rules,
 * issue 10); views ask `methodRules(board).planNewNote(layout, hints)`. This re-export keeps
 * older importers working until they switch.
 */
export { planNewNote, type NewNoteContext, type NewNoteHints, type NewNotePlan } from '../../../shared/rules/newNote';
