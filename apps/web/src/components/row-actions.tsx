// A row's actions behind one "Actions" button: React Aria's menu gives the keyboard handling
// (arrows, typeahead, Escape, focus back on the button) and the ARIA roles, none of it written here.
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';

export interface RowAction {
  id: string;
  label: string;
  onAction: () => void;
  /** Destructive: drawn in the danger colour. */
  danger?: boolean;
  /** Shown but not selectable; `reason` says why (it becomes the item's description). */
  disabled?: { reason: string } | false;
}

export function RowActions({ label, actions }: { label: string; actions: RowAction[] }) {
  const disabledKeys = actions.filter((action) => action.disabled).map((action) => action.id);
  return (
    <MenuTrigger>
      <Button className="button-secondary row-actions-button" aria-label={label}>
        Actions <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="menu-popover" placement="bottom end">
        <Menu
          className="menu"
          disabledKeys={disabledKeys}
          onAction={(key) => actions.find((action) => action.id === key)?.onAction()}
        >
          {actions.map((action) => (
            <MenuItem
              key={action.id}
              id={action.id}
              className={action.danger ? 'menu-item menu-item-danger' : 'menu-item'}
              textValue={action.label}
            >
              {action.label}
              {action.disabled ? <span className="menu-item-note">{action.disabled.reason}</span> : null}
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
