import { useRef, useState } from 'react';
import type { HTMLAttributes, ReactNode } from 'react';
import { rowSubject } from '../ability';
import type { UiAction, UiSubject } from '../ability';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { Can } from './Can';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorAlert } from './ErrorAlert';
import { EmptyRow, ListStatus } from './ListParts';
import { PageTitle } from './PageTitle';
import { FoldedActionsContext, RowActions, useFoldedActions, useInRowMenu } from './RowActions';

type Permission = [UiAction, UiSubject];

/** One column of a list page's table. */
export interface Column<T> {
  key: string;
  header: ReactNode;
  /** The cell of a row; pages that draw their own rows (`renderRow`) leave it out. */
  cell?: (row: T) => ReactNode;
  numeric?: boolean;
  /** Shown only to users holding this permission (without it the column would show bare ids). */
  can?: Permission;
  /**
   * Shown only to users who may read this field of the subject: the server leaves out fields a
   * role may not read, and an empty column would read as "none" or "never".
   */
  field?: ReadableField;
}

/** A field of a subject the server may withhold (CASL field rules). */
export interface ReadableField {
  subject: UiSubject;
  name: string;
}

/** The page's main button (create), gated like every catalogue button. */
export interface CreateButton {
  can: Permission;
  /** What the new row will be (its fields the rules' conditions name), when known: a number's templates. */
  on?: object;
  button: string;
  label: string;
  onClick: () => void;
  disabled?: boolean;
}

/** Deleting a row: the row's delete button opens a confirmation, whose button deletes. */
export interface Deletion<T> {
  can: Permission;
  /** `data-button` of the confirmation's button. */
  button: string;
  title: string;
  text: (row: T) => ReactNode;
  remove: (row: T) => Promise<unknown>;
  onRemoved: (row: T) => void;
  /** The row being confirmed, when the page opens the confirmation itself (memoised rows). */
  target?: T | null;
  setTarget?: (row: T | null) => void;
}

/** What a row's actions may do besides their own dialogs. */
export interface RowTools {
  /** Opens the delete confirmation for this row. */
  askDelete: () => void;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string | undefined };

export interface ListPageProps<T> {
  title: string;
  /** Shown under the title (an introduction, a hint). */
  intro?: ReactNode;
  create?: CreateButton;
  /** Buttons beside the create button. */
  actions?: ReactNode;
  /** Search and filters, between the title and the table. */
  toolbar?: ReactNode;
  tableId: string;
  /** The table's caption for screen readers; the title by default. */
  caption?: string;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey: (row: T) => string;
  rowAttributes?: (row: T) => RowAttributes;
  rowActions?: (row: T, tools: RowTools) => ReactNode;
  /** Names a row for screen readers (its actions menu button says whose actions it opens). */
  rowName?: (row: T) => string;
  /** Draws a row itself (rows with their own state or a details row); gets the same tools. */
  renderRow?: (row: T, tools: RowTools) => ReactNode;
  /** Whether the table has an actions column (implied by rowActions). */
  hasActions?: boolean;
  /** The first load is done: an empty list shows `empty` rather than nothing. */
  loaded: boolean;
  /** Whether nothing is shown (rows hidden by a filter); by default, no rows. */
  isEmpty?: boolean;
  busy: boolean;
  error: unknown;
  empty?: ReactNode;
  deletion?: Deletion<T>;
  /** Under the table (load more). */
  footer?: ReactNode;
  /** The page's dialogs. */
  children?: ReactNode;
}

/**
 * A list page: title and create button, toolbar, the table with its empty and loading states,
 * row actions and the delete confirmation. Every page that lists rows reads the same.
 */
export function ListPage<T>(props: ListPageProps<T>) {
  const { t, lang } = useI18n();
  const [ownTarget, setOwnTarget] = useState<T | null>(null);
  const remove = useAction();
  const withActions = props.hasActions === true || props.rowActions !== undefined;
  const wrapRef = useRef<HTMLDivElement>(null);
  // What the table shows, as a value: a page may pass an equal new rows array on each render.
  const content = `${lang} ${props.columns.length} ${props.rows.map(props.rowKey).join(' ')}`;
  const folded = useFoldedActions(wrapRef, withActions, content);
  const colSpan = props.columns.length + (withActions ? 1 : 0);
  const { create, deletion } = props;
  const deleting = deletion?.setTarget ? (deletion.target ?? null) : ownTarget;
  const setDeleting = deletion?.setTarget ?? setOwnTarget;
  const isEmpty = props.isEmpty ?? props.rows.length === 0;

  function closeDelete() {
    remove.setError(null);
    setDeleting(null);
  }

  async function confirmDelete(row: T) {
    if (!deletion) {
      return;
    }
    const done = await remove.run(async () => {
      await deletion.remove(row);
      return true;
    });
    if (done) {
      deletion.onRemoved(row);
      setDeleting(null);
    }
  }

  function tools(row: T): RowTools {
    return { askDelete: () => setDeleting(row) };
  }

  function defaultRow(row: T) {
    return (
      <tr key={props.rowKey(row)} {...props.rowAttributes?.(row)}>
        {props.columns.map((column) => (
          <Gate key={column.key} can={column.can} field={column.field}>
            <td className={column.numeric ? 'numeric' : undefined}>{column.cell?.(row)}</td>
          </Gate>
        ))}
        {props.rowActions && (
          <td className="row-actions">
            <RowActions name={props.rowName?.(row) ?? ''}>{props.rowActions(row, tools(row))}</RowActions>
          </td>
        )}
      </tr>
    );
  }

  return (
    <section>
      <PageTitle
        title={props.title}
        actions={
          create || props.actions ? (
            <>
              {props.actions}
              {create && (
                <CreateAction create={create} />
              )}
            </>
          ) : undefined
        }
      >
        {props.intro}
      </PageTitle>
      {props.toolbar}
      <ErrorAlert error={props.error} />
      <div className="table-wrap" ref={wrapRef} data-actions={withActions ? (folded ? 'folded' : 'inline') : undefined}>
        <table className="table" id={props.tableId}>
          <caption className="visually-hidden">{props.caption ?? props.title}</caption>
          <thead>
            <tr>
              {props.columns.map((column) => (
                <Gate key={column.key} can={column.can} field={column.field}>
                  <th scope="col" className={column.numeric ? 'numeric' : undefined}>
                    {column.header}
                  </th>
                </Gate>
              ))}
              {withActions && (
                <th scope="col" className="row-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            <FoldedActionsContext.Provider value={folded}>
              {props.rows.map((row) => (props.renderRow ? props.renderRow(row, tools(row)) : defaultRow(row)))}
            </FoldedActionsContext.Provider>
            {props.loaded && isEmpty && props.empty !== undefined && <EmptyRow colSpan={colSpan}>{props.empty}</EmptyRow>}
          </tbody>
        </table>
      </div>
      <ListStatus busy={props.busy} />
      {props.footer}
      {props.children}
      {deletion && deleting !== null && (
        <ConfirmDialog
          title={deletion.title}
          confirmLabel={t('common.delete')}
          can={deletion.can}
          button={deletion.button}
          danger
          busy={remove.busy}
          error={remove.error}
          onConfirm={() => void confirmDelete(deleting)}
          onClose={closeDelete}
        >
          {deletion.text(deleting)}
        </ConfirmDialog>
      )}
    </section>
  );
}

/**
 * A row's action button: a link-styled button gated by its permission on that row (`on`, the
 * row's fields, when the subject has one), naming the row for screen readers; an item of the
 * row's menu when the list folds its actions.
 */
export function RowAction(props: {
  can: Permission;
  on?: object;
  button: string;
  label: ReactNode;
  name: string;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
  describedBy?: string;
}) {
  const inMenu = useInRowMenu();
  const look = inMenu ? 'row-menu-item' : 'button-link';
  const [action, type] = props.can;
  const button = (
    <button
      type="button"
      className={props.danger ? `${look} danger` : look}
      role={inMenu ? 'menuitem' : undefined}
      tabIndex={inMenu ? -1 : undefined}
      onClick={props.onClick}
      disabled={props.disabled}
      aria-describedby={props.describedBy}
      data-button={props.button}
    >
      {props.label}
      <span className="visually-hidden"> {props.name}</span>
    </button>
  );
  return props.on && type !== 'all' ? (
    <Can I={action} this={rowSubject(type, props.on)}>
      {button}
    </Can>
  ) : (
    <Can I={action} a={type}>
      {button}
    </Can>
  );
}

function CreateAction({ create }: { create: CreateButton }) {
  const [action, type] = create.can;
  const button = (
    <button type="button" className="button-primary" onClick={create.onClick} disabled={create.disabled} data-button={create.button}>
      {create.label}
    </button>
  );
  return create.on && type !== 'all' ? (
    <Can I={action} this={rowSubject(type, create.on)}>
      {button}
    </Can>
  ) : (
    <Can I={action} a={type}>
      {button}
    </Can>
  );
}

function Gate({ can, field, children }: { can: Permission | undefined; field: ReadableField | undefined; children: ReactNode }) {
  const readable = field ? <ReadsField field={field}>{children}</ReadsField> : <>{children}</>;
  return can ? (
    <Can I={can[0]} a={can[1]}>
      {readable}
    </Can>
  ) : (
    readable
  );
}

/** Its children only for users who may read the field (a cell or header of a field-gated column). */
export function ReadsField({ field, children }: { field: ReadableField; children: ReactNode }) {
  return (
    <Can I="read" a={field.subject} field={field.name}>
      {children}
    </Can>
  );
}
