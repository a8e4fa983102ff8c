"""The hotline desk (热线): one search box over every policy, the customer's whole picture,
and the outbound renewal-call list."""
