"""Common words that carry no subject, in Bengali, Banglish and English.

A question word the knowledge base has never seen is usually a new subject
("গুগল জেমিনি", "password") and makes the bot less sure; these words are
the exception: they are only grammar, so not knowing them costs little.
They are not removed from matching: কী, কত, কবে and কেন carry meaning.
"""

from __future__ import annotations

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    কি কী কে কার কারা কাকে কত কতো কয় কয়টা কোন কোনো কেন কিভাবে কীভাবে কেমন কবে কখন কোথায় কোথা
    কিসের কীসের কিসে কোনটা কোনগুলো
    আমি আমার আমাকে আমরা আমাদের তুমি তোমার তোমাকে তোমরা আপনি আপনার আপনাকে সে তার তাকে তারা তাদের
    এ এই ওই ঐ সেই এটা ওটা সেটা এটি ওটি সেটি এগুলো ওগুলো এখানে ওখানে সেখানে এর ওর এদের
    ও আর এবং বা কিংবা অথবা কিন্তু তবে তবু যদি তাহলে তো যে না নি নয় নাই নেই হ্যাঁ হ্যা
    টা টি টো গুলো গুলি খানা খানি জন জনের
    হয় হয়ে হয়েছে হয়েছিল হবে হল হলো হলে হচ্ছে হইছে হইসে হয়েছিলো ছিল ছিলো আছে আছেন থাকে থাকবে
    করে করা করেছে করেছিল করবে করছে করতে করেন করো কর করল করলো দিয়ে দিয়েছে দেয় দিল নিয়ে নিয়েছে
    বলো বলুন বল বলেন বলতো বলেছে বলেছেন জানাও জানান জানো জানেন জানতে চাই দাও দিন একটু প্লিজ
    সম্পর্কে নিয়ে জন্য থেকে দিয়ে মধ্যে মাঝে সাথে সঙ্গে পরে আগে উপর নিচে ভিতরে বাইরে কাছে মত মতো
    ভাই আপু দাদা রে গো তো ত নাকি কিছু সব সবাই আরও খুব বেশি কম
    ki ke kar kara kake koto kto koy koyta kon kono keno kivabe kibhabe kemon kobe kokhon kothay
    ami amar amake amra amader tumi tomar tomake apni apnar apnake se tar take tara tader
    ei oi sei eta ota seta eti eigulo egulo er or o ar ebong ba kintu tobe jodi tahole to je na ni noy
    nai nei ha haa ta ti gulo guli jon
    hoy hoye hoyeche hoyechhe hoise hoyese hoisilo hobe holo hole hocche hoche hoitese chilo silo ache
    ase achhe thake korche kore kora koreche korse korbe korte koren koro dise diyeche dey dilo niye
    bolo bolun bol bolen bolto janao janan jano janen jante chai dao din ektu plz pls please
    somporke shomporke jonno theke moddhe sathe shathe pore age upor kache moto mot vai bhai apu dada
    re go naki kichu sob shob sobai aro khub beshi besi kom
    what who whom whose which when where why how is are was were be been being am do does did done
    the a an of to in on at for from by with about into as and or but if then so not no yes
    i me my we us our you your he him his she her it its they them their this that these those there
    can could will would shall should may might must have has had tell me please pls plz know
    some any all more most much many very just also too again
    """.split()
)
