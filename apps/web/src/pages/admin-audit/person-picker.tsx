// The audit log's person filter: a combobox that finds users by name or email and filters by the
// chosen one's id, so the URL keeps a uuid that a shared link can carry.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { errorMessage } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import { useDebouncedValue } from '../../lib/use-debounced-value.js';

const SEARCH_DEBOUNCE_MS = 250;
const SUGGESTIONS = 8;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Person {
  id: string;
  name: string;
  email: string;
}

/**
 * `userId` is the filter as it stands (from the URL, so possibly typed by hand); `onChange` gets the
 * id of the person picked, or undefined once the field is emptied.
 */
export function PersonPicker({
  userId,
  error,
  onChange,
}: {
  userId: string | undefined;
  error?: string | undefined;
  onChange: (userId: string | undefined) => void;
}) {
  const trpc = useTRPC();
  const [picked, setPicked] = useState<Person | null>(null);
  // A page opened with `?userId=` knows only the id: one look-up finds whom it names.
  const lookup = useQuery({
    ...trpc.admin.users.get.queryOptions({ userId: userId ?? '' }),
    enabled: userId !== undefined && UUID.test(userId) && picked?.id !== userId,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const chosen: Person | null =
    picked !== null && picked.id === userId ? picked : userId && lookup.data ? lookup.data.user : null;
  // What the field shows when nobody is typing: the chosen person, or the raw id when nobody by that
  // id can be found (a deleted user's events stay in the log), or nothing.
  const settledText = chosen?.name ?? (userId && (lookup.isError || !UUID.test(userId)) ? userId : '');

  const [text, setText] = useState(settledText);
  useEffect(() => setText(settledText), [settledText]);
  const query = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const searching = query !== '' && query !== settledText;
  const results = useQuery({
    ...trpc.admin.users.list.queryOptions({ search: query, limit: SUGGESTIONS, sort: 'name' }),
    enabled: searching,
  });
  const people: Person[] = searching ? (results.data?.items ?? []) : chosen ? [chosen] : [];

  return (
    <ComboBox
      className="field combobox"
      items={people}
      value={chosen?.id ?? null}
      inputValue={text}
      isInvalid={error !== undefined}
      // Results arrive after the typing: the list opens at once and says it is searching.
      allowsEmptyCollection
      onInputChange={(next) => {
        setText(next);
        if (next === '' && userId !== undefined) onChange(undefined);
      }}
      onChange={(key) => {
        const person = people.find((candidate) => candidate.id === key);
        if (person && person.id !== userId) {
          setPicked(person);
          onChange(person.id);
        }
        // Committing without a new pick (a blur after typing) puts back who is chosen.
        setText(person?.name ?? settledText);
      }}
    >
      <Label>User</Label>
      <Input placeholder="Name or email" maxLength={100} />
      <Text slot="description" className="visually-hidden">
        Events this person performed or that were done to them.
      </Text>
      <FieldError className="field-error">{error}</FieldError>
      <Popover className="combobox-popover" placement="bottom start">
        <ListBox<Person>
          className="combobox-list"
          renderEmptyState={() => (
            <p className="combobox-empty">
              {text.trim() === ''
                ? 'Type part of a name or email.'
                : results.isError
                  ? errorMessage(results.error)
                  : text.trim() !== query || results.isFetching
                    ? 'Searching…'
                    : `Nobody matches “${query}”.`}
            </p>
          )}
        >
          {(person) => (
            <ListBoxItem id={person.id} textValue={person.name} className="combobox-option">
              <span className="combobox-name">{person.name}</span>
              <span className="cell-note">{person.email}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
