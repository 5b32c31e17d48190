import { voteStrings } from './votes';
import { escapeMarkdown as md, escapeMarkdownItem as item } from './format';
import { buildMemoModel, type MemoInput, type MemoModel, type NoteLine } from './model';

/**
 * The memo as Markdown (CommonMark with a GFM table for the actions): for e-mail, wikis and
 * anyone who reads the file as plain text. Every piece of user text goes through
 * `escapeMarkdown`, so a note can neither format nor inject HTML into the memo.
 */
export function renderMemoMarkdown(input: MemoInput): string {
  const m = buildMemoModel(input);
  const out: string[] = [];
  const block = (...lines: string[]) => out.push(...lines, '');
  const { s } = m;

  block(`# ${md(m.heading)}`);
  const dates = [m.kind, ...(m.workshopDate ? [`${s.workshopDate} ${m.workshopDate}`] : []), `${s.memoDate} ${m.memoDate}`];
  block(dates.join(' · '));

  block(`## ${s.participants}`);
  if (m.participants.length === 0) block(s.noParticipants);
  else block(...m.participants.map((g) => `- **${md(g.label)}:** ${g.names.map(md).join(', ')}`));

  block(`## ${s.flipcharts}`);
  if (m.flipcharts.length === 0) block(`*${s.noAnswers}*`);
  for (const chart of m.flipcharts) {
    block(`### ${md(chart.label)}`);
    for (const question of chart.questions) {
      block(`#### ${md(question.heading)}`);
      if (question.groups.length === 0) block(`*${s.noAnswers}*`);
      for (const group of question.groups) {
        if (group.label !== null) block(`**${md(group.label)}**`);
        if (group.notes.length === 0) block(`*${s.noAnswers}*`);
        else block(...group.notes.map((text) => `- ${item(text)}`));
      }
    }
  }

  block(`## ${s.themes}`);
  themesSection(m, block);

  block(`## ${s.matrix}`);
  block(s.matrixIntro);
  if (m.matrix.length === 0) block(s.noMatrix);
  for (const row of m.matrix) {
    block(`### ${row.number}. ${md(row.name)}`);
    if (row.unsolved) block(`> **${s.unsolved}**`);
    block(`${s.challenges}:`);
    block(...(row.challenges.length === 0 ? ['- —'] : row.challenges.map((n) => `- ${noteLine(n)}`)));
    if (row.need) block(`${s.need}: ${md(row.need)}`);
    if (row.strengths.length > 0) {
      block(`${s.strengthsByActor}:`);
      block(...row.strengths.map((g) => `- **${md(g.actor)}:** ${g.items.map(md).join('; ')}`));
    }
  }

  block(`## ${s.valueMap}`);
  for (const layer of m.flows) {
    block(`### ${layer.heading}`);
    if (layer.flows.length === 0) block(s.noFlows);
    else block(...layer.flows.map((f) => `- ${item(f.from)} → ${md(f.to)} (${f.kind})${f.label ? `: ${md(f.label)}` : ''}`));
  }

  block(`## ${s.actions}`);
  if (m.actions.length === 0) block(s.noActions);
  else {
    const header = [s.checkDate, s.what, s.theme, s.ownerActor, s.ownerName, s.status, s.actionNotes];
    block(
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...m.actions.map((a) => `| ${[a.checkDate, md(a.what), md(a.theme), md(a.ownerActor), md(a.ownerName), a.status, md(a.notes)].join(' | ')} |`),
    );
  }

  if (m.votes.length > 0) {
    const vs = voteStrings(m.language);
    block(`## ${vs.heading}`, vs.intro);
    block(...m.votes.map((v) => `- ${v.kind === 'action' ? `${vs.action}: ` : ''}${md(v.label)} — **${vs.votes(v.count)}**`));
  }

  // One trailing newline, no blank line at the end.
  return `${out.join('\n').trimEnd()}\n`;
}

/** A note as the start of a list item, with its actor. */
const noteLine = (note: NoteLine) => (note.actor ? `${item(note.text)} (${md(note.actor)})` : item(note.text));

function themesSection(m: MemoModel, block: (...lines: string[]) => void): void {
  const { s } = m;
  if (m.themes.challenge.length === 0 && m.themes.strength.length === 0) block(s.noThemes);
  for (const kind of ['challenge', 'strength'] as const) {
    const themes = m.themes[kind];
    const loose = m.unthemed[kind];
    if (themes.length === 0 && loose.length === 0) continue;
    block(`### ${kind === 'challenge' ? s.challengeThemes : s.strengthThemes}`);
    for (const theme of themes) {
      block(`#### ${theme.number}. ${md(theme.name)}`);
      block(...(theme.notes.length === 0 ? ['- —'] : theme.notes.map((n) => `- ${noteLine(n)}`)));
    }
    if (loose.length > 0) {
      block(`#### ${s.withoutTheme}`);
      block(...loose.map((n) => `- ${noteLine(n)}`));
    }
  }
}
