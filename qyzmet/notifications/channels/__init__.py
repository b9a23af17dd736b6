"""The channels a message can go by (SMS, e-mail, push, inbox): one class per channel behind
the `Channel` interface of `channels.base`, looked up by `channels.registry.channel_get`."""
