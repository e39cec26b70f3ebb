// Nostr — placeholder until its first file lands.
