// The check of the key card numbers are hashed with (the keyed hash of a fixed text, which reveals
// nothing of the key), recorded by the first load. A load with another key (card.key lost and made
// anew, or another installation's) would store the same card under another id, so it is refused:
// the check stored is returned for the loader to compare.
MERGE (k:CardKeyCheck {id: 'card-key'})
  ON CREATE SET k.check = $check
RETURN k.check AS check
