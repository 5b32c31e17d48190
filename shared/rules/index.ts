/**
 * The method's rules (issue 10): one pure module, computed once per snapshot, that every view
 * asks. `methodRules(board)` takes today's BoardSnapshot as it is (structurally: `room` and `me`).
 *
 * What replaces what (for the files other helpers own):
 *
 * client/src/sync/workshop.ts
 *  - addNote's `round !== null && round.endedAt === null && round.questionId === note.questionId`
 *      → `newNoteDocFor(session, note.questionId) === 'drafts'` (or `methodRules(snapshot).newNoteDoc(questionId)`)
 *  - compute()'s `canWriteWall: me.role === 'facilitator' || (participant && wallAcceptsEditsFrom(...))`
 *      → `methodRules({ room, me }).canWriteWall` (or drop the field: views read the rules)
 *  - questionUse's `room.session.round?.questionId ?? null` is the LAST round's question (ended
 *    or not), on purpose: a question a round ran on keeps its kind. Not a rule here; leave it.
 *
 * client/src/canvas/wall.ts (rules = methodRules(board))
 *  - `isWriter` (participant with a flipchart)       → `rules.isWriter`
 *  - `roundQuestionId` getter                          → `rules.roundQuestionId`
 *  - `canWriteIn(questionId)`                          → `rules.canAddIn(questionId)`
 *  - `canWrite` getter                                 → `rules.canAdd`
 *  - `canEdit(note)`                                   → `rules.canEdit(note)`
 *  - `accepts(noteId, area)` (drag target)             → `rules.canMove(note, { actorId: area.actorId, questionId: area.question.id })`
 *  - flipchart renderer's `isLocked(actorId)`          → `rules.flipchartLocked(actorId)`
 *  - `newNote()`'s `planNewNote(layout, {myActorId, roundQuestionId, canWriteIn, ...})`
 *      → `rules.planNewNote(layout, { pointer, centre, lastAreaKey })`
 *    (the wall's `isWriter` also needs `options.interactive && actions`: that is the view's, not a rule)
 *
 * client/src/views/WallView.svelte (rules = $derived(methodRules(board)))
 *  - `currentQuestion` (round's, else last round's, else first) → `rules.currentQuestionId`
 *  - `roundRunning`                                    → `rules.round !== null`
 *  - `locked = !board.canWriteWall`                    → `!rules.canWriteWall` (`rules.lockedOut` for the notice)
 *  - `canWrite = !readonly && isParticipant && !!myActor && (!locked || roundRunning)`
 *      → `!readonly && rules.canAdd`
 *
 * Also left for their owners (not re-derivations of permissions, but the same open-round test):
 *  - client/src/views/BoardPage.svelte `lockedForMe` (participant && !canWriteWall) → `rules.lockedOut`
 *  - client/src/components/RoundStats.svelte `round && round.endedAt === null` → `rules.round`
 *
 * Done on the `rules` branch: ListView, PhoneView, RoomScreen, FacilitatorControls, room/stage.ts,
 * room/RoundStage.svelte; model/newNote.ts is a re-export of ./newNote.ts.
 */
export {
  methodRules,
  newNoteDocFor,
  openRound,
  type MethodRules,
  type NoteDoc,
  type NoteTarget,
  type RulesInput,
  type RulesNote,
  type RulesRoom,
} from './method';
export { planNewNote, type NewNoteContext, type NewNoteHints, type NewNotePlan, type PlanArea, type PlanLayout, type Point } from './newNote';
export { writesOf, type NoteAction } from './writes';
