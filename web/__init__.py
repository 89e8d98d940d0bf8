"""The seller's dashboard inside Telegram: a Mini App over the same tool catalogue
the chat uses (tools.registry), authenticated by Telegram's initData.

Dependencies point one way: web -> tools -> analytics -> storage; `bot` may import
`web` (to serve it and to open it from a button), never the other way round.
"""
