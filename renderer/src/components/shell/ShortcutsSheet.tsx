/** "?": every keyboard shortcut, grouped. */
import type { ReactElement } from 'react';
import { closeShortcuts } from '../../store/actions/dialogs';
import { useFerryStore } from '../../store/store';
import { Kbd } from '../common/Kbd';
import { Modal } from '../common/Modal';
import './ShortcutsSheet.css';

const GROUPS: ReadonlyArray<{ title: string; keys: ReadonlyArray<{ keys: string[]; what: string }> }> = [
  {
    title: 'Anywhere',
    keys: [
      { keys: ['Mod', 'O'], what: 'New upload' },
      { keys: ['Mod', 'F'], what: 'Search jobs (or the log, when it has focus)' },
      { keys: ['?'], what: 'Show this sheet' },
      { keys: ['Esc'], what: 'Close a sheet or menu' },
    ],
  },
  {
    title: 'Jobs table',
    keys: [
      { keys: ['↑'], what: 'Previous job' },
      { keys: ['↓'], what: 'Next job' },
      { keys: ['Shift', '↑ ↓'], what: 'Extend the selection' },
      { keys: ['Mod', 'A'], what: 'Select all jobs' },
      { keys: ['Space'], what: 'Pause or resume the selection' },
      { keys: ['Delete'], what: 'Cancel the selected jobs that are unfinished, or delete finished ones with their logs (asks first)' },
      { keys: ['Home', 'End'], what: 'First or last job' },
    ],
  },
  {
    title: 'Log',
    keys: [
      { keys: ['Enter'], what: 'Next match' },
      { keys: ['Shift', 'Enter'], what: 'Previous match' },
      { keys: ['End'], what: 'Jump to the end and follow' },
    ],
  },
];

export function ShortcutsSheet(): ReactElement | null {
  const open = useFerryStore((s) => s.ui.shortcutsOpen);
  if (!open) return null;
  return (
    <Modal title="Keyboard shortcuts" onClose={closeShortcuts} size="large" testId="shortcuts-sheet">
      <div className="shortcuts-grid">
        {GROUPS.map((group) => (
          <section key={group.title} className="shortcuts-group" aria-label={group.title}>
            <h3 className="form-section-title">{group.title}</h3>
            <dl className="shortcuts-list">
              {group.keys.map((k) => (
                <div key={k.what} className="shortcuts-row">
                  <dt>
                    {k.keys.map((key) => (
                      <Kbd key={key}>{key}</Kbd>
                    ))}
                  </dt>
                  <dd>{k.what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Modal>
  );
}
