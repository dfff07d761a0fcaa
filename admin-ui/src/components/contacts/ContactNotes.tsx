import { useState } from 'react';
import type { FormEvent } from 'react';
import { rowSubject } from '../../ability';
import { contactsApi } from '../../contactsApi';
import type { ContactNote } from '../../contactsApi';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';

/** The notes on a contact: add one; edit or delete where the rules allow (built-in roles: one's own; supervisors delete any). */
export function ContactNotes({ contactId, notes, onChanged }: { contactId: string; notes: ContactNote[]; onChanged: (notes: ContactNote[]) => void }) {
  const { t } = useI18n();
  const formats = useFormats();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<{ id: string; body: string } | null>(null);
  const action = useAction();

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(() => contactsApi.addNote(contactId, text.trim()));
    if (result) {
      setText('');
      onChanged([result.note, ...notes]);
    }
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!editing) {
      return;
    }
    const result = await action.run(() => contactsApi.editNote(contactId, editing.id, editing.body.trim()));
    if (result) {
      setEditing(null);
      onChanged(notes.map((n) => (n.id === result.note.id ? result.note : n)));
    }
  }

  async function remove(note: ContactNote) {
    const done = await action.run(async () => {
      await contactsApi.removeNote(contactId, note.id);
      return true;
    });
    if (done) {
      onChanged(notes.filter((n) => n.id !== note.id));
    }
  }

  return (
    <section className="card contact-notes" aria-labelledby="contact-notes-title">
      <h2 id="contact-notes-title">{t('contacts.notes')}</h2>
      <Can I="create" a="ContactNote">
        <form onSubmit={(event) => void add(event)} className="note-form">
          <label htmlFor="note-new">{t('contacts.newNote')}</label>
          <textarea id="note-new" rows={3} required maxLength={5000} value={text} onChange={(event) => setText(event.target.value)} />
          <button type="submit" className="button-primary" disabled={action.busy || text.trim() === ''} data-button="notes.add">
            {t('contacts.addNote')}
          </button>
        </form>
      </Can>
      <ErrorAlert error={action.error} />
      {notes.length === 0 ? (
        <p className="hint">{t('contacts.noNotes')}</p>
      ) : (
        <ul className="note-list">
          {notes.map((note) => {
            const row = rowSubject('ContactNote', { id: note.id, authorId: note.author?.id ?? null });
            return (
              <li key={note.id} data-note={note.id}>
                <p className="note-meta">{t('contacts.noteBy', { by: note.author?.name || t('contacts.formerUser'), at: formats.dateTime(note.createdAt) })}</p>
                {editing?.id === note.id ? (
                  <form onSubmit={(event) => void save(event)} className="note-form">
                    <label htmlFor={`note-${note.id}`} className="visually-hidden">{t('contacts.editNote')}</label>
                    <textarea id={`note-${note.id}`} rows={3} required maxLength={5000} value={editing.body} onChange={(event) => setEditing({ id: note.id, body: event.target.value })} />
                    <div className="form-actions">
                      <button type="button" className="button-secondary" onClick={() => setEditing(null)} data-ui="notes.cancelEdit">{t('common.cancel')}</button>
                      <button type="submit" className="button-primary" disabled={action.busy} data-button="notes.saveEdit">{t('common.save')}</button>
                    </div>
                  </form>
                ) : (
                  <p className="note-body">{note.body}</p>
                )}
                <div className="note-actions">
                  <Can I="update" this={row}>
                    <button type="button" className="button-link" onClick={() => setEditing({ id: note.id, body: note.body })} data-button="notes.edit">{t('common.edit')}</button>
                  </Can>
                  <Can I="delete" this={row}>
                    <button type="button" className="button-link danger" disabled={action.busy} onClick={() => void remove(note)} data-button="notes.delete">{t('common.delete')}</button>
                  </Can>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
