"""Pure engines of the cross-city clearing house (no ORM, no request): import the modules directly.

- `netting`: net positions, gross matrix, fewest settlement payments.
- `validation`: the checks a claim must pass before it is posted.
- `pseudonym`: keyed person references and the resident-ID check character.
"""
