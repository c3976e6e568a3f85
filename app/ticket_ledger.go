package app

// ticketLedgerStore is what the complaint ledger needs from the store.
type ticketLedgerStore interface{}
