// Deterministic event ids: a name-based UUID from the command id and the event's index in the command's output.
// The same command always yields the same event ids, which lets stores without a command table (EventStoreDB)
// recognise a repeated append.
import { nameUuid } from '../../domain/name-uuid.js'

export const eventIdFor = (commandId: string, index: number): string => nameUuid(`event:${commandId}#${index}`)
