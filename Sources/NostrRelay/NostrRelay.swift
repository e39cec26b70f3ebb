// NostrRelay — placeholder until its first file lands.
