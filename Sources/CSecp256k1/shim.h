#pragma once
// libsecp256k1 with the modules loom uses: BIP-340 Schnorr and x-only keys.
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
