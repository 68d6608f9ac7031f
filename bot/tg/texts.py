"""Every fixed Bengali text the Telegram bot sends, in one place for review (HTML-safe)."""

from __future__ import annotations

GREETING = (
    "আসসালামু আলাইকুম, নমস্কার! আমি <b>লামাবট</b>।\n"
    "মেটার লামা মডেলের ১ বিলিয়ন ডাউনলোড নিয়ে একটি সংবাদ প্রতিবেদন থেকে আমি বাংলায় উত্তর দিই, "
    "প্রতিটি উত্তরের সঙ্গে সূত্র উল্লেখ করে।\n\n"
    "যেসব বিষয়ে জানি:\n{topics}\n\n"
    "বাংলা, Banglish বা English-এ প্রশ্ন লিখুন, অথবা নিচের বোতাম চাপুন।"
)
HELP = (
    "<b>কীভাবে ব্যবহার করবেন</b>\n"
    "যেকোনো প্রশ্ন লিখে পাঠান, যেমন: <i>লামা কতবার ডাউনলোড হয়েছে?</i> বা "
    "<i>llamacon kobe?</i>\n\n"
    "/topics — বিষয় ধরে প্রশ্ন বেছে নিন\n"
    "/llamacon — লামাকন সম্মেলনের তারিখ ও কত দিন বাকি\n"
    "/source — যে প্রতিবেদন থেকে উত্তর দিই\n"
    "/subscribe — লামাকনের মতো ইভেন্টের রিমাইন্ডার পান; /unsubscribe — বন্ধ করুন\n"
    "/help — এই সাহায্য\n\n"
    "যেকোনো চ্যাটে <code>@{username} প্রশ্ন</code> লিখেও উত্তর পাঠাতে পারেন। "
    "গ্রুপে আমাকে মেনশন করুন বা আমার বার্তার উত্তর দিন।"
)
TOPICS = "<b>বিষয়সমূহ</b>\nএকটি বিষয় বেছে নিন:"
TOPIC_QUESTIONS = "<b>{title}</b>\nএকটি প্রশ্ন বেছে নিন:"
BACK = "« সব বিষয়"
BUTTON_TOPICS = "📚 বিষয়সমূহ"
BUTTON_LLAMACON = "📅 লামাকন"
BUTTON_SOURCE = "📰 সূত্র"
BUTTON_SUBSCRIBE = "🔔 লামাকনের রিমাইন্ডার"
EVENTS_HEADER = "<b>📅 অনুষ্ঠান</b>"
EVENTS_NONE = "এখন কোনো অনুষ্ঠানের তথ্য নেই।"
SOURCE_HEADER = "<b>📰 সূত্র</b>\nআমার সব উত্তর এই প্রতিবেদন থেকে নেওয়া:"
SOURCE_COVERS = "এতে যা আছে:"
CITATION = "📖 <b>সূত্র:</b> {title}\n<i>{section}</i>"
RELATED = "আরও জানতে চাইলে:"
NON_TEXT = "আমি শুধু লেখা পড়তে পারি। লামা নিয়ে আপনার প্রশ্নটি লিখে পাঠান।"
UNKNOWN_COMMAND = "এই কমান্ডটি আমি চিনি না। /help দেখুন।"
SLOW_DOWN = "একটু ধীরে! খুব দ্রুত অনেক বার্তা এসেছে; এক মিনিট পরে আবার লিখুন।"
ERROR = "দুঃখিত, কিছু একটা সমস্যা হয়েছে। একটু পরে আবার চেষ্টা করুন।"
EXPIRED_BUTTON = "এই বোতামটি পুরোনো হয়ে গেছে। /topics থেকে আবার বেছে নিন।"
GROUP_HELLO = (
    "সবাইকে শুভেচ্ছা! আমি লামাবট। লামা নিয়ে প্রশ্ন করতে আমাকে মেনশন করুন "
    "(@{username} প্রশ্ন) বা আমার বার্তার উত্তর দিন।"
)
INLINE_ASK_PRIVATELY = "লামাবটকে সরাসরি জিজ্ঞেস করুন"

# Admin texts.
ADMIN_ONLY = "দুঃখিত, এই কমান্ডটি শুধু অ্যাডমিনদের জন্য।"
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
GAPS_HEADER = "<b>🕳 যেসব প্রশ্নের উত্তর দিতে পারিনি</b> (সবচেয়ে বেশি আগে):"
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
EDIT_DISCARDED = "বাতিল করা হয়েছে; কিছুই বদলানো হয়নি।"
EDIT_EXPIRED = "এই পরিবর্তনটি আর অপেক্ষমাণ নেই; ফাইলটি আবার পাঠান।"
EDIT_STALE = (
    "⚠️ প্রয়োগ করা হয়নি, কিছুই বদলানো হয়নি: {reason}.\n"
    "ফাইলটি এখন যেমন আছে তার সঙ্গে মিলিয়ে নতুন করে দেখতে নিচের বোতাম চাপুন।"
)
EDIT_PREVIEW_AGAIN = "🔄 নতুন প্রিভিউ"
EDIT_APPLY = "✅ প্রয়োগ করুন"
EDIT_DISCARD = "✖️ বাতিল"
ROLLBACK_DONE = "↩️ <code>{name}</code> আগের সংস্করণে ফেরানো হয়েছে।"
ROLLBACK_NONE = "ফেরানোর মতো কোনো আগের সংস্করণ নেই।"
