// Cashu — placeholder until its first file lands.
