"""Every fixed Bengali text the Telegram bot sends, in one place for review (HTML-safe).

Texts that speak of the article (the welcome, /help, the group greeting, the event's
command and buttons) are the knowledge base's own: bot.yaml, read through
`Knowledge.voice`. Those here are generic; `{name}`, `{subject}` and `{example}` in them
are filled from the knowledge base (`Voice.fill`).
"""

from __future__ import annotations

TOPICS = "<b>বিষয়সমূহ</b>\nএকটি বিষয় বেছে নিন:"
TOPIC_QUESTIONS = "<b>{title}</b>\nএকটি প্রশ্ন বেছে নিন:"
BACK = "« সব বিষয়"
BUTTON_TOPICS = "📚 বিষয়সমূহ"
BUTTON_SOURCE = "📰 সূত্র"
BUTTON_REMINDERS = "🔔 রিমাইন্ডার"  # the subscribe button when bot.yaml names no event
EVENTS_HEADER = "<b>📅 অনুষ্ঠান</b>"
EVENTS_NONE = "এখন কোনো অনুষ্ঠানের তথ্য নেই।"
EVENTS_MORE = "…আরও {count}টি অনুষ্ঠান আছে; সবচেয়ে কাছেরগুলো ওপরে দেখানো হলো।"
SOURCE_HEADER = "<b>📰 সূত্র</b>\nআমার সব উত্তর এই প্রতিবেদন থেকে নেওয়া:"
SOURCES_HEADER = "<b>📰 সূত্র</b>\nআমার সব উত্তর এই {count}টি প্রতিবেদন থেকে নেওয়া:"
SOURCE_COVERS = "এতে যা আছে:"
SOURCE_CITED = "<i>({count}টি উত্তর এই প্রতিবেদনের উদ্ধৃতি দেয়)</i>"
CITATION = "📖 <b>সূত্র:</b> {title}\n<i>{section}</i>"
RELATED = "আরও জানতে চাইলে:"
NON_TEXT = "আমি শুধু লেখা পড়তে পারি। {subject} নিয়ে আপনার প্রশ্নটি লিখে পাঠান।"
UNKNOWN_COMMAND = "এই কমান্ডটি আমি চিনি না। /help দেখুন।"
SLOW_DOWN = "একটু ধীরে! খুব দ্রুত অনেক বার্তা এসেছে; এক মিনিট পরে আবার লিখুন।"
ERROR = "দুঃখিত, কিছু একটা সমস্যা হয়েছে। একটু পরে আবার চেষ্টা করুন।"
EXPIRED_BUTTON = "এই বোতামটি পুরোনো হয়ে গেছে। /topics থেকে আবার বেছে নিন।"
ALREADY_ANSWERED = "উত্তরটি ওপরে দেওয়া হয়েছে।"  # the same button tapped again
INLINE_ASK_PRIVATELY = "{name}কে সরাসরি জিজ্ঞেস করুন"

# Admin texts.
ADMIN_ONLY = "দুঃখিত, এই কমান্ডটি শুধু অ্যাডমিনদের জন্য।"
ADMIN_PRIVATE_ONLY = ("🔒 এটি ব্যবহারকারীদের প্রশ্ন দেখায়, তাই গ্রুপে নয়: বটের সঙ্গে আপনার প্রাইভেট"
                      " চ্যাটে ব্যবহার করুন।")
STATS = (
    "<b>📊 পরিসংখ্যান</b>\n"
    "ব্যবহারকারী: {users}\n"
    "প্রশ্ন: {questions}\n"
    "উত্তর দেওয়া হয়েছে: {answered}\n"
    "অনিশ্চিত (পরামর্শ): {suggested}\n"
    "উত্তর জানা নেই: {fallback}\n"
    "খালি বার্তা: {empty}\n"
    "সাবস্ক্রাইবার: {subscribers}\n"
    "জ্ঞানভান্ডার: {facts}টি তথ্য, সংস্করণ <code>{version}</code>\n"
    "ডেটাবেস: {database}"
)
STATS_TOP = "<b>সবচেয়ে বেশি জিজ্ঞাসিত:</b>"
SUBSCRIBERS = "{active} (বট ব্লক করে চলে গেছেন: {blocked})"
DB_UNAVAILABLE = "⚠️ ডেটাবেস এখন ব্যবহার করা যাচ্ছে না: <code>{reason}</code>"
GAPS_HEADER = "<b>🕳 যেসব প্রশ্নের উত্তর দিতে পারিনি</b> (যেগুলো বেশিবার এসেছে, সেগুলো আগে):"
GAPS_YAML = "🧩 ব্যবহারকারীরা যে প্রস্তাব বেছে নিয়েছেন, সেগুলো উদাহরণ হিসেবে যোগ করতে পারেন:"
GAPS_NONE = "এখনো এমন কোনো প্রশ্ন নেই।"
GAPS_USAGE = (
    "ব্যবহার: <code>/gaps</code> অথবা <code>/gaps N</code>, N হলো 1–{most} "
    "(না দিলে {default})।"
)
RELOAD_OK = "✅ জ্ঞানভান্ডার লোড হয়েছে: {facts}টি তথ্য, সংস্করণ <code>{old}</code> → <code>{new}</code>।"
RELOAD_FAILED = (
    "❌ জ্ঞানভান্ডারে {count}টি সমস্যা, তাই পুরোনোটিই চালু থাকল (সংস্করণ <code>{version}</code>):"
)
RELOAD_BUSY = "আগের /reload এখনো চলছে।"
# /reload in a group: what changed may quote users' questions (taught by a review).
RELOAD_DETAILS_SENT = "🔒 কী বদলেছে তা আপনাকে আলাদা করে পাঠানো হলো: তাতে ব্যবহারকারীদের প্রশ্ন থাকতে পারে।"

# Knowledge edits (admins). Problems and file names stay in English, as `kb validate` prints them.
RELOAD_REASON = "🔄 জ্ঞানভান্ডার পুনরায় লোড ({reason}):"
EDIT_SUMMARY = (
    "📄 <code>{name}</code> যাচাই করা হয়েছে, কোনো সমস্যা নেই। প্রয়োগ করলে যা বদলাবে:"
)
EDIT_INVALID = "❌ <code>{name}</code>-এ {count}টি সমস্যা; কিছুই বদলানো হয়নি:"
EDIT_REFUSED = "❌ ফাইলটি নেওয়া গেল না: {reason}"
EDIT_APPLIED = (
    "✅ <code>{name}</code> প্রয়োগ করা হয়েছে; আগের সংস্করণ রাখা আছে, ফিরিয়ে নিতে /rollback।"
)
EDIT_SAME = (
    "ℹ️ <code>{name}</code> ফোল্ডারের ফাইলটির সঙ্গে হুবহু এক, তাই প্রয়োগ করার মতো কিছু নেই;"
    " কিছুই বদলানো হয়নি।"
)
EDIT_DISCARDED = "বাতিল করা হয়েছে; কিছুই বদলানো হয়নি।"
EDIT_EXPIRED = "এই পরিবর্তনটি আর অপেক্ষমাণ নেই; ফাইলটি আবার পাঠান।"
EDIT_STALE = (
    "⚠️ প্রয়োগ করা হয়নি, কিছুই বদলানো হয়নি: {reason}.\n"
    "ফাইলটি এখন যেমন আছে তার সঙ্গে মিলিয়ে নতুন করে দেখতে নিচের বোতাম চাপুন।"
)
# An alert (plain text, at most 200 characters; the name is cut at 60).
EDIT_SUPERSEDED = (
    "A newer upload of {name} superseded this preview; nothing was written. "
    "Apply the newest preview of the file."
)
EDIT_PREVIEW_AGAIN = "🔄 নতুন প্রিভিউ"
EDIT_APPLY = "✅ প্রয়োগ করুন"
EDIT_DISCARD = "✖️ বাতিল"
ROLLBACK_DONE = "↩️ <code>{name}</code> আগের সংস্করণে ফেরানো হয়েছে।"
ROLLBACK_NONE = "ফেরানোর মতো কোনো আগের সংস্করণ নেই।"
ROLLBACK_CONFIRM = (
    "❓ <code>{name}</code> আগের সংস্করণে ফেরাবো? শেষ পরিবর্তন: {what} — {by}, {at}"
)
ROLLBACK_YES = "↩️ ফেরান"
ROLLBACK_NO = "✖️ বাতিল"
ROLLBACK_KEPT = "ফেরানো হয়নি; কিছুই বদলানো হয়নি।"
ROLLBACK_REFUSED = "⚠️ ফেরানো হয়নি, কিছুই বদলানো হয়নি: {reason}."
ROLLBACK_INVALID = (
    "❌ ফেরানো হয়নি: আগের সংস্করণে ফিরলে জ্ঞানভান্ডারে {count}টি সমস্যা হতো; কিছুই বদলানো হয়নি:"
)
# Told to every other admin when one applies an upload or rolls one back: a stolen phone's
# edits must not go unnoticed.
EDIT_BY_ANOTHER = "👤 admin {admin}:"

# Votes under fact answers: short toasts (answerCallbackQuery), never a new message.
VOTE_REASONS = {  # storage's reason -> the chip users see (bot.storage.records.VOTE_REASONS)
    "wrong": "ভুল উত্তর",
    "incomplete": "অসম্পূর্ণ",
    "misunderstood": "প্রশ্ন বোঝেনি",
}
VOTE_UP_THANKS = "ধন্যবাদ! 👍"
VOTE_DOWN_ASK = "দুঃখিত! কী সমস্যা ছিল? নিচে একটি বেছে নিন।"
VOTE_REASON_THANKS = "ধন্যবাদ! জানালেন বলে উত্তরটি ঠিক করা সহজ হবে।"
VOTE_REFUSED = "এই বোতামটি চেনা গেল না।"
VOTE_NOT_YOURS = "কারণটি জানাতে পারেন শুধু যিনি 👎 দিয়েছেন।"

# /review (admins): one card at a time. Questions and fact ids stay as logged.
REVIEW_NONE = (
    "✅ পর্যালোচনার মতো কিছু নেই: উত্তর না পাওয়া, 👎 পাওয়া বা অল্প ব্যবধানে উত্তর দেওয়া "
    "প্রশ্ন এখন নেই।"
)
REVIEW_DONE = "✅ পর্যালোচনা শেষ।"
REVIEW_CARD = (
    "<b>🗂 পর্যালোচনা {number}/{total}</b>: {users} জন ব্যবহারকারী, {count}টি প্রশ্ন ({signals})"
)
REVIEW_SIGNALS = {
    "unanswered": "উত্তর পায়নি",
    "disliked": "👎",
    "rejected": "“এগুলোর কোনোটি নয়”",
    "narrow": "অল্প ব্যবধানে উত্তর",
}
# Only the phrasings a card shows are taught (bot.tg.review_view.shown_questions).
REVIEW_MORE = "… {count} more wait for the next review"
REVIEW_ANSWERED = "বট উত্তর দিয়েছিল:"
REVIEW_OFFERED = "বট প্রস্তাব করেছিল:"
REVIEW_CHOSEN = "ব্যবহারকারীরা বেছে নিয়েছেন:"
REVIEW_REASONS = "👎-এর কারণ:"
REVIEW_ADD = "➕ {title}"
REVIEW_CHOOSE = "📂 অন্য তথ্য…"
REVIEW_DECLINE = "🚫 অন্য বিষয়"
REVIEW_IGNORE = "🙈 উপেক্ষা"
REVIEW_SKIP = "⏭ পরে"
REVIEW_BACK = "« কার্ডে ফিরুন"
REVIEW_PICK_TOPIC = "কোন বিষয়ের তথ্যে যোগ করবেন?"
REVIEW_PICK_FACT = "কোন তথ্যে যোগ করবেন?"
REVIEW_APPLY_ANYWAY = "⚠️ তবুও প্রয়োগ করুন"
REVIEW_CANCEL = "✖️ বাতিল"
REVIEW_WORKING = "⏳ যাচাই করা হচ্ছে…"
REVIEW_BREAKS = "⚠️ প্রয়োগ করলে যা ভাঙবে (কিছুই লেখা হয়নি):"
REVIEW_BROKEN = "• “{question}”: {expect} → {after}"
REVIEW_APPLIED = (
    "✅ <code>{name}</code>: {count}টি প্রশ্ন যোগ হয়েছে → <b>{target}</b> (ফিরিয়ে নিতে /rollback)"
)
REVIEW_MEASURED = "মূল্যায়ন: {measured}টি প্রশ্ন, কোনোটির উত্তর খারাপ হয়নি।"
REVIEW_MEASURED_ANYWAY = (
    "মূল্যায়ন: {measured}টি প্রশ্ন, {broken}টির উত্তর খারাপ হয়েছে (তবুও প্রয়োগ করা হয়েছে)।"
)
REVIEW_UNMEASURED = "মূল্যায়ন করা হয়নি: কোনো মূল্যায়ন-প্রশ্নের ফাইল নেই।"
REVIEW_IGNORED = "🙈 উপেক্ষা করা হয়েছে: এই প্রশ্নগুলো আর দেখানো হবে না।"
REVIEW_SKIPPED = "⏭ পরে দেখা হবে।"
REVIEW_CANCELLED = "✖️ বাতিল করা হয়েছে; কিছুই লেখা হয়নি।"
REVIEW_FAILED = "❌ করা গেল না, কিছুই বদলানো হয়নি: <code>{reason}</code>"
REVIEW_STALE = "⚠️ ফাইলটি এর মধ্যে বদলে গেছে, কিছুই লেখা হয়নি: <code>{reason}</code>। বোতামটি আবার চাপুন।"
REVIEW_BAD_BUTTON = "এই বোতামটি চেনা গেল না; /review আবার পাঠান।"
REVIEW_EXPIRED = "এই পর্যালোচনা আর চালু নেই; /review আবার পাঠান।"
REVIEW_DECIDED = "এই কার্ডের সিদ্ধান্ত আগেই হয়ে গেছে।"
REVIEW_RELOAD = "/review: {who}"

# /stats: per fact, and the chart of the last 14 days.
STATS_FACTS = (
    "<b>প্রতিটি তথ্য</b> (উত্তর · 👍 · 👎 · ☝️ “আপনি কি বোঝাতে চেয়েছেন” থেকে বেছে নেওয়া · "
    "গত ৭ দিনে উত্তর, আগের ৭ দিনের তুলনায়):"
)
STATS_FACT = "{title}: {answered} · 👍{up} · 👎{down} · ☝️{picked} · {week} ({trend})"
STATS_NO_CHART = "(চার্ট নেই: সার্ভারে llamabot[chart] ইনস্টল করা নেই।)"
CHART_TITLE = "গত ১৪ দিনের প্রশ্ন"
CHART_ANSWERED = "উত্তর দেওয়া হয়েছে"
CHART_SUGGESTED = "আপনি কি বোঝাতে চেয়েছেন"
CHART_FALLBACK = "উত্তর জানা নেই"
CHART_TOP = "সবচেয়ে বেশি উত্তর দেওয়া তথ্য"
CHART_EMPTY = "এই সময়ে কোনো প্রশ্ন নেই"
