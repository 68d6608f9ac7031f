"""Bengali texts for subscriptions, reminders and broadcasts (plain text: no HTML to break)."""

from __future__ import annotations

SUBSCRIBED = (
    "🔔 আপনি রিমাইন্ডার চালু করেছেন। অনুষ্ঠানের আগে আপনাকে জানিয়ে দেব।\n"
    "বন্ধ করতে চাইলে /unsubscribe লিখুন।"
)
# {event}: the title of the event bot.yaml gives a command of its own.
SUBSCRIBED_EVENT = (
    "🔔 আপনি রিমাইন্ডার চালু করেছেন। {event}সহ অনুষ্ঠানের আগে আপনাকে জানিয়ে দেব।\n"
    "বন্ধ করতে চাইলে /unsubscribe লিখুন।"
)
ALREADY_SUBSCRIBED = "🔔 রিমাইন্ডার আগে থেকেই চালু আছে। বন্ধ করতে /unsubscribe লিখুন।"
UNSUBSCRIBED = "🔕 রিমাইন্ডার বন্ধ করা হয়েছে। আবার চালু করতে /subscribe লিখুন।"
NOT_SUBSCRIBED = "🔕 রিমাইন্ডার চালু ছিল না। চালু করতে /subscribe লিখুন।"
PRIVATE_ONLY = "রিমাইন্ডার চালু করতে আমাকে ব্যক্তিগত চ্যাটে /subscribe লিখুন।"
DATABASE_DOWN = "দুঃখিত, এখন সেটিংস সংরক্ষণ করা যাচ্ছে না। একটু পরে আবার চেষ্টা করুন।"
BUTTON_ON = "🔔 রিমাইন্ডার চালু"
BUTTON_OFF = "🔕 রিমাইন্ডার বন্ধ"

REMINDER = "🔔 রিমাইন্ডার\n{description}"
REMINDER_URL = "বিস্তারিত: {url}"
REMINDER_FOOTER = "রিমাইন্ডার বন্ধ করতে /unsubscribe লিখুন।"

# Admin texts.
BROADCAST_USAGE = "ব্যবহার: /broadcast বার্তার লেখা\n(বার্তাটি সব সাবস্ক্রাইবারকে পাঠানো হবে)"
BROADCAST_TOO_LONG = (
    "বার্তাটি খুব বড়: টেলিগ্রামের হিসাবে {length} অক্ষর (ইমোজি ২টি করে), সর্বোচ্চ {limit}।"
)
BROADCAST_CONTROL = (
    "বার্তায় একটি নিয়ন্ত্রণ অক্ষর আছে (U+{code}, {position} নম্বর অক্ষর): সেটি মুছে আবার পাঠান।"
)
BROADCAST_PREVIEW = "📣 প্রিভিউ ({count} জন সাবস্ক্রাইবার পাবেন):\n\n{text}\n\nপাঠাবো?"
BUTTON_SEND = "✅ পাঠান"
BUTTON_CANCEL = "❌ বাতিল"
BUTTON_STOP = "⏹ থামান"
BROADCAST_CANCELLED = "❌ সম্প্রচার বাতিল করা হয়েছে।"
BROADCAST_GONE = "এই সম্প্রচারটি আগেই পাঠানো বা বাতিল করা হয়েছে।"
# A preview's Send tapped past bot.storage.outbox.DRAFT_MAX_AGE (English, as /stopall's
# outcome: it must read unambiguously); an alert holds 200 characters.
BROADCAST_EXPIRED = (
    "This preview is more than {hours} hours old, so its Send no longer works: nothing was"
    " sent. To send this text, run /broadcast again."
)
BROADCAST_NOT_SAVED = "⚠️ ডেটাবেসে লেখা যাচ্ছে না, তাই সম্প্রচারটি তৈরি করা হয়নি: {reason}"
BROADCAST_NOT_QUEUED = "⚠️ ডেটাবেসে লেখা যাচ্ছে না, তাই কিছুই বদলায়নি: {reason}"
PROGRESS = (
    "📣 সম্প্রচার #{id}: {state}\n"
    "পাঠানো হয়েছে: {sent}\n"
    "ব্যর্থ: {failed} (এর মধ্যে ব্লক করেছেন: {blocked})\n"
    "বাকি: {remaining}"
)
PROGRESS_CANCELLED = "\nবাতিল, পাঠানো হয়নি: {cancelled}"
# To the other admins: a broadcast they did not send may come from a stolen account.
BROADCAST_BY_ANOTHER = (
    "📣 admin {admin} সম্প্রচার #{id} পাঠাচ্ছেন, {count} জন সাবস্ক্রাইবারকে:\n\n{text}\n\n"
    "আপনার জানা না থাকলে থামান।"
)
# To every admin: a reminder reaches every subscriber, with text and link from events.yaml.
REMINDER_QUEUED = (
    "📣 রিমাইন্ডার সম্প্রচার #{id} পাঠানো হচ্ছে, {count} জন সাবস্ক্রাইবারকে:\n\n{text}\n\n"
    "আপনার জানা না থাকলে থামান।"
)
# To every admin, once per round: more reminders fell due together (or within the hour)
# than are sent (bot.core.events.MAX_REMINDERS_AT_ONCE, REMINDER_WINDOW). English, as
# /stopall's outcome.
REMINDERS_OVER = (
    "⚠️ {due} reminders fell due at once: the {queued} of the events that begin soonest were"
    " queued (each shown to you with its ⏹), and the other {skipped} were skipped and will"
    " not be sent, so that subscribers do not get {due} messages at once (at most {most}"
    " reminders go out together or within an hour). Skipped, for events: {events}. If"
    " events.yaml was not"
    " meant to add them, /rollback its upload; to announce them, use /broadcast."
)
BROADCAST_TEXT_FOLLOWS = "(পুরো লেখাটি পরের বার্তায়)"
BROADCAST_STOPPED = "⏹ admin {admin} সম্প্রচার #{id} থামিয়েছেন: {count}টি বার্তা আর পাঠানো হবে না।"
# /stopall, to the admin who sent it and to every other admin (English, as the problems:
# an emergency command's outcome must read unambiguously). Reminders not due yet are not
# queued messages: what the knowledge says (events.yaml) decides those.
STOP_ALL = (
    "⏹ admin {admin} stopped everything being sent (/stopall):\n"
    "broadcasts stopped: {broadcasts}{details}\n"
    "messages that will not be sent: {messages} (those already in flight, at most 8,"
    " still go out)\n"
    "previews cancelled: {drafts}\n"
    "{later}"
)
STOP_ALL_NOTHING = (
    "⏹ admin {admin} sent /stopall: nothing was waiting to be sent, and no preview was"
    " waiting for its Send.\n{later}"
)
STOP_ALL_LATER = (
    "Reminders not due yet stay scheduled: to change them, edit events.yaml, or /rollback"
    " its upload."
)
STATE_SENDING = "পাঠানো চলছে…"
STATE_DONE = "সম্পন্ন ✅"

# To admins: a Bengali header, the problems in English as `kb validate` writes them.
REMINDER_PROBLEMS = "⚠️ এই রিমাইন্ডারগুলো পাঠানো যাবে না; বাকিগুলো ঠিকমতো যাবে:\n{problems}"
SEND_PROBLEM = (
    "⚠️ সম্প্রচার #{id}: একটি বার্তা পাঠানো যায়নি, ব্যর্থ হিসেবে রাখা হলো; বাকিরা পাবেন:\n{reason}"
)
