"""Common words that carry no subject, in Bengali, Banglish and English.

A question word the knowledge base has never seen is usually a new subject
("গুগল জেমিনি", "password") and makes the bot less sure; these words are
the exception: they are grammar, fillers and everyday verbs, so they weigh
little whether known or not. Question words that pick a fact ("কবে", "কত",
"when", "how many") are deliberately absent: their weight comes from the
knowledge base like any other word.
"""

from __future__ import annotations

# Words that point at a thing just named: "it", "এটা", "oita" (Sylheti "ইতা").
THING_POINTERS = ("এটা", "এটি", "ওটা", "ওটি", "সেটা", "সেটি", "এটার", "ওটার", "it", "its", "it's",
                  "eta", "ota", "seta", "etar", "otar", "ita", "oita", "eita", "ইতা", "ইটা",
                  "হেইটা", "হেইডা", "এইডা", "ওইডা", "ইহা", "উহা", "তাহা", "ইহাতে", "উহাতে",
                  "তাহাতে", "এতে", "ওতে",
                  # Chittagonian, Noakhali and Sylheti: "ইয়ার দাম কত?", "হেতেরে কে বানাইছে?"
                  "ইয়ান", "ইয়ানে", "ইয়ার", "ইটারে", "ইটার", "হেতেরে", "হেইডারে", "এইডারে")

# Words that speak to the bot: "তুমি কে?", "apnar kaj ki?", "are you human?", "এই বট ...".
ADDRESSED = ("তুমি", "তোমাকে", "তোমার", "তোমায়", "আপনি", "আপনাকে", "আপনার", "তুই", "তোকে", "তোর",
             "বট", "বটটা", "you", "your", "yourself", "bot", "tumi", "tomake", "tomar", "apni",
             "apnake", "apnar", "tui", "toke", "tor")

# Words asking what something shows or means: "এতে কী বোঝা যায়?", "what does it indicate?".
SIGNIFYING = (
    "বোঝায়", "বোঝা", "বুঝায়", "বোঝাচ্ছে", "বুঝাচ্ছে", "দেখায়", "দেখাচ্ছে", "ইঙ্গিত", "তাৎপর্য",
    "মানে", "অর্থ", "বোঝানো", "লক্ষণ", "bojhay", "bojha", "bujhay", "bujha", "dekhay", "ingit", "mane",
    "mean", "means", "indicate", "indicates", "show", "shows", "signify", "signifies",
    "suggest", "suggests", "imply", "implies", "significance")

# Words that point at a person just named: "উনি কী বলেছেন?", "what did he say?".
PERSON_POINTERS = ("উনি", "উনার", "ওনার", "ওঁর", "ওঁকে", "উনাকে", "ওনাকে", "তিনি", "তাঁর", "তাঁকে",
                   "he", "his", "him", "uni", "unar", "onar", "tini")

_BENGALI = """
কি কী কে কার কারা কাকে কোন কোনো কোনটা কোনগুলো কেন ক্যান কিভাবে কীভাবে কেমন কেমনে কোথায় কোথা
কিসের কীসের কিসে কই কয় কয়টা কোনদিন
আমি আমার আমাকে আমরা আমাদের তুমি তোমার তোমাকে তোমরা আপনি আপনার আপনাকে আপনারা সে তার তাকে
তারা তাদের তিনি তাঁর ওনার উনি ওরা ওদের এরা এদের
এ এই ওই ঐ সেই এটা ওটা সেটা এটি ওটি সেটি এগুলো ওগুলো সেগুলো এখানে ওখানে সেখানে এর ওর
যেটা যেটার যেটি যেটির যেগুলো যেগুলোর যেখানে যেইটা যেইটার
ও আর এবং বা কিংবা অথবা কিন্তু তবে তবু তবুও যদি যদিও তাহলে তো যে যা যাকে যার না নি নয় নাই নেই
হ্যাঁ হ্যা জি হুম আচ্ছা ঠিক আছে ওকে
টা টি টো টাই গুলো গুলি খানা খানি জন
হয় হয়ে হয়েছে হয়েছিল হয়েছিলো হবে হব হবো হল হলো হলে হচ্ছে হইছে হইসে হইল হইলো হতো হত হতে হওয়া
ছিল ছিলো ছিলেন আছে আছেন আছি থাকে থাকবে থাকতে থাকা
করে করা করেছে করেছিল করবে করছে করতেছে করসে করছিল করতে করেন করো কর করল করলো করলে করুন
দিয়ে দিয়েছে দিছে দেয় দিল দিলো দিবে দেবে দিতে দেওয়া নিয়ে নিয়েছে নিছে নেয় নিল নিলো নিবে নেবে নিতে
যায় যাবে গেছে গেল গেলো যাচ্ছে পারে পারবে পারি পারেন পাওয়া পায় পাবো পাব চাই চাচ্ছি লাগে লাগবে
চায় চাইছে চাচ্ছে চান চাইছেন চাচ্ছেন
বলো বলুন বল বলেন বলতো বলো তো বলেছে বলেছেন বলছে বলছেন কইছে কয় জানাও জানান জানো জানেন জানি
জানতে জানা বুঝি বুঝতে বোঝাও বুঝাও দাও দিন একটু প্লিজ দয়া করে
সম্পর্কে বিষয়ে ব্যাপারে জন্য জন্যে থেকে হতে দিয়ে মধ্যে মাঝে সাথে সঙ্গে পরে আগে উপর উপরে ওপর ওপরে নিচে
ভিতরে ভেতরে বাইরে কাছে কাছ মত মতো মতন দ্বারা প্রতি
ভাই ভাইয়া আপু আপা মামা চাচা খালা কাকা কাকু মাসি স্যার ম্যাডাম দোস্ত ভাবি
সাহেব সাহেবের সাহেবকে সাব সাবে জনাব মিস্টার মশাই মশায় মহাশয় মহোদয় শ্রী শ্রীযুক্ত
বাবা মা বাবু বাপু বাছা দাদু নানু সারাদিন
দাদা দিদি রে গো তো ত নাকি কিছু সব সবাই সবকিছু আরও আরো খুব বেশি কম অনেক একটা একটি
এক এখন এখনও এখনো অহন এহন আজ আবার শুধু মাত্র আসলে সত্যি সত্যিই আসলেই আসলে মানে বলে নাকি তাই তাও কেবল
তখন তখনই তহন তারপর তারপরে তারপরও এরপর এরপরে কিছুই কিচ্ছু জানিনা বুঝিনা জানতাম
পর্যন্ত অবধি ধরে সময় ব্যাপার বিষয় জিনিস জিনিসটা জিনিসটি বস্তু বস্তুটি বস্তুটা ঘটনা কথা খবর
অবস্থা হালচাল হাল
আসসালামু আলাইকুম সালাম হ্যালো হাই নমস্কার শুনুন শুনেন শোনো শুনো জিগাই জিগাইতাম জিজ্ঞেস জিজ্ঞাসা কাহিনি কাহিনী কাহিনীটা কাহিনিটা
করি করছি কন কও কইবেন কইরা কইরে দিয়া করতাছে করতাছি করতেছি করতেছে করতেসে বুঝতাছি বুঝতেছি
বুঝতেসি বুঝলাম বুঝিনা থাইকা থিকা থেইকা খালি পারবো পারব পারবেন হইবো হইবে হইতাছে হইতেছে গেসে
কইলো কইল কইছিল জানেন জানাবেন জানাইবেন বলবেন বলবে দেখি দেখছি মনে হয় হইলো
লাইগা লাইগ্যা লাগি নিয়া নিয়্যা কন কইলেন কইতাছে কইতেছে কইতেসে দেখতাছেন দেখতেছেন বুঝাইয়া বুঝিয়ে
বুঝায়ে বুঝাইয়ে বস্তু সবার সবাইকে সবারই হাচা হাছা হাছাই সত্য আসল আসলে শুনলাম শুনছি শুনেছি শুনলাম দেখলাম পড়লাম জানলাম
একটু খানি এইটা ঐটা ওইটা সেইটা এইটার ওইটার সেইটার এটার ওটার সেটার এইডা হেইডা হেই কিতা কিতাছে কেনে ক্যানে উচিত উচিৎ
দেখা দেখতে দেখাতে দেখানো দেখায় দেখে দেখছে দেখেছে দেখেছি খাওয়া খেতে খায় খাচ্ছে খাচ্ছি যাওয়া যেতে যাই গিয়ে
আসা আসতে আসে এসে থাকি থাকলে চলে চলবে চলছে ভালো খারাপ ঠিকমতো
এসেছে এসেছিল এসেছিলো এলো এল আইছে আসলো
প্রতিবেদন প্রতিবেদনে প্রতিবেদনের প্রতিবেদনটা প্রতিবেদনটি রিপোর্ট রিপোর্টে রিপোর্টের রিপোর্টটা রিপুর্টে
রিপুর্ট সংবাদ সংবাদে সংবাদের নিবন্ধ নিবন্ধে আর্টিকেল আর্টিকেলে লেখাটা লেখাটায় অনুযায়ী মতে হিসাবে হিসেবে
প্রবন্ধ প্রবন্ধে প্রবন্ধের প্রতিবেদক প্রতিবেদকের অভিমত মতামত
উল্লেখ উল্লিখিত অবহিত বিবৃত আলোকপাত ব্যাখ্যা বিস্তারিত বিশদ বিবরণ পরিচয় পরিচিতি প্রদান জানাতে অনুরোধ
পরিলক্ষিত চিহ্নিত প্রতীয়মান বস্তুত প্রকৃতপক্ষে প্রসঙ্গে আলোকে প্রেক্ষাপটে সংক্রান্ত উদ্দেশে কর্তৃক মর্মে
সংক্ষিপ্ত সংক্ষিপ্তভাবে উত্থাপিত উত্থাপন উপস্থাপন রয়েছে বর্তমানে অনুগ্রহপূর্বক হইয়াছে হইয়াছিল করিয়াছে করিয়াছিল করিবে
হইবে হইল করিল কহিয়াছেন বলিয়াছেন জানাইবেন জানাইয়াছে হইয়া করিয়া
নামক জাতীয় যাঁরা তাঁদের উহা তাহা ইহা ইহার ইহাকে ইহাদের উহার উহাকে উহাদের তাহার তাহাকে তাহাদের
তাঁহার তাঁহাদের যাহা যাহার কাহার কাহারা কাহাদের কাহাকে বর্ণনা হইতে
প্রকার প্রকারের কীরূপ কিরূপ স্বরূপ সম্পর্কিত সম্বন্ধীয় হেতু দরুন পরিপ্রেক্ষিতে ইত্যাদি যাবতীয় প্রভৃতি একদা
নিমিত্তে সহিত অপেক্ষা নিকটে দিকে বিষয়টির প্রসঙ্গত উক্ত জ্ঞাত অবগত বাধিত উপকৃত কৃতজ্ঞ সবিস্তারে বিশদভাবে
সবিশেষ আলোচিত প্রদত্ত বর্ণিত উল্লেখপূর্বক যথাক্রমে মতানুসারে ভাষ্যমতে অনুধাবন বোধগম্য সম্মুখীন
লইবার বলিয়া যাইতেছে করিয়াছিলেন সম্বন্ধে নিকট অধিকতর কতিপয়
নিমিত্ত মাধ্যমে সম্প্রতি অদ্যাবধি বিষয়ক যথাযথ তৎপরবর্তী তৎপরবর্তীতে উত্তম সাইরা
সহজ সহজভাবে সহজে সংক্ষেপে ভাষায় সোজা সোজাসুজি ধারণা এবার এইবার
দিকটা দিকটি দিকটার দিকটাও
নাগাদ একদম একেবারে একেবারেই ekdom ekebare
এছাড়া এছাড়াও তাছাড়া তাছাড়াও echara echarao tachara tacharao
এসব ওসব সেসব এইসব ওইসব ঐসব নিজেদের এমন এরকম ওরকম এইরকম ওইরকম পুরো পুরা ব্যাপারটা ব্যাপারটি বিষয়টা বিষয়টি
অনুগ্রহ অনুগ্রহপূর্বক বুঝিয়ে বুঝাইয়া বলবেন জানাবেন বলবে জানাবে
উনার উনাকে ওনাকে তাঁকে কুন কুনো লইয়া অইছে অইব অইবো অইলো কইছইন কইছন হেইন হেরা ইতা ইগুলা ইটা ওইগুলা ওইগুলো এইগুলা এইগুলো
আইচ্ছা ভাইসাব কুনু অখন বলি গরের গইরগে গইরলো গরিবো গইরবো গইরতো অইয়ে অইয়েদে অইবু হিয়ান হিয়ানে হিডা হিডায় হিতারা
তাইলে তাহলে ফিরে টাইপ তুন পাওন লাই ওখান ওখানে চাইতে হুবহু নির্দেশ অই লয় হিনো গিয়া লগে লগর
নিজে নিজের নিজস্ব জগৎ জগত জগতে জগতের দুনিয়া দুনিয়ায় দুনিয়াতে
কথাটা কথাটার কথাটি কথাটির শব্দটা শব্দটার শব্দটি শব্দটির
ইয়ান ইয়ানে ইতাইন হিতাইন কইন কওকছাইন কইবা দেহা দেহি দেহা যার চলের করের মেলা ক্যা কিল্লাই কিল্লায়
ইবা ইয়ার ইয়ারে ইটার ইটারে ইতারে এন্ডা আচ্চা আদৌ হুনলাম হুনছি হুইনছি হেতে হেতেরে হেতারা হ্যারা হ্যাগো হিতারার হুদা
কেনো কিয়া কিয়র কিয়ারে কিভা কেমতে কুনখানো কোনটি কাহাদের
ইতারা ইতারার ইতারারে হিতারারে এইটায় এটায় ওইটায় ওটায় ঐগুলো ওইডা ওগো ওগোর ওগের তাগো তাগোর
হিতে হিতের হেইটা হেগোর হেতাইন হেতারার হেতের হেয় হ্যায় হেরার
ওইখানে ওইহানে হেইখানে
"""

_BANGLISH = """
ki ke kar kara kake kon kono konta keno kano kenu kivabe kibhabe kemne kemon kothay koi koy koyta
kun kunta kita kitar kene kiyor kitae hokol hokolor
kiya killai kemte kenne eisob oisob etar otar ita oikhane shekhane
ami amar amake amra amader tumi tomar tomake tomra apni apnar apnake apnara se tar take tara tader
tini tar onar uni ora oder era eder
ei oi sei eta ota seta eti oti egulo ogulo egula ogula segulo ekhane okhane sekhane er or r
jeta jetar jeti jegulo jekhane
o ar ebong ba kintu tobe tobu jodi jodio tahole to je ja na ni noy nai nei ha haa hya ji hum accha
thik ok okay ta ti to tai gulo guli gula jon
hoy hoye hoyeche hoyechhe hoise hoiche hoyese hoisilo hoyechilo hobe holo hole hocche hoche hoitese
hoite hote hoto chilo silo chhilo ache ase achhe achi thake thakbe thakte
kore kora koreche korche korse korbe korte koren koro kor korlo korle korteche kortese korchhe
diye diyeche dise dey dilo dibe debe dite deya dicche dicchen
niye niyeche nise ney nilo nibe nebe nite neya
jay jabe geche gelo jacche pare parbe pari paren paoa pay pabo chai lage lagbe
chay chaay chaiche chacche chaise chaitese
bolo bolun bol bolen bolto boleche bolse bolche koise janao janan jano janen jani jante jana
bujhi bujhte bujhao dao din ektu plz pls please
somporke shomporke bishoye bepare jonno jonne theke moddhe majhe sathe shathe songe pore age upor
opor opore upore niche vitore bhitore baire kache moto moton ebar eibar
vai bhai vaiya bhaiya apu apa mama chacha khala kaka kaku mashi dost vabi bhabi
baba abba abbu ammu amma
saheb shaheb sahab shahab saheber shaheber janab mister moshai mohashoy
dada didi re go naki kichu sob shob sobai aro khub beshi besi kom onek
ekta ekti ek ekhon ekhono ahon ehon aj abar shudhu sudhu matro asole ashole asholei asolei sotti
tokhon tokhoni tarpor tarpore erpor erpore kichui kisui kicchu janina bujhina jantam
shotti mane bole tai tao
kebol porjonto dhore somoy byapar bepar bishoy jinis jinish bostu ghotona kotha khobor
obostha obosta halchal
assalamu assalamualaikum alaikum walaikum salam hello hi hey jigai kahini kahinita jigesh
jiggesh jiggasa jigges kori emon erokom orokom nijeder
korchi kon kaw koiben koira diya kortase kortesi bujhtesi bujhtasi bujhlam bujhina theika thika
khali parbo parben hoibo hoibe gese koilo koisilo janaben bolben dekhi mone
laiga lagi niya kon koilen bolechen bolechhen boleche bollo bolsilo bolechilen bolechilo
koitase dekhtasen bujhaiya shunlam sunlam shunchi dekhlam porlam
eita oita seita eida heida uchit dekha dekhte dekhay dekhe khawa khete khay jawa jete jai giye
asha ashte ashe ese valo bhalo kharap
protibedon protibedone protibedoner riport riporte reporte article artikel onujayi anujayi mote
hisabe hishabe sohoj sohojvabe songkhepe kou saira
e te nagad esob oshob unar onake oigula oigulo eigula eigulo
taile tahole pura puro aca acha logor loge chup boshe bose oitar eitar oitay eitay
nije nijer nijossho nijosso jogot jogote jogoter duniya duniyay
kothata kothatar kothati shobdota shobdotar shobdoti
"""

_ENGLISH = """
what who whom whose which where why how is are was were be been being am do does did done doing
the a an of to in on at for from by with about against into onto as and or but if then so not no yes
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
this that these those there here
can could will would shall should may might must have has had having get got gets getting
tell say said says explain know please pls plz thanks
some any all each every more most much many very really actually exactly basically just also
anything something already yet true
moreover additionally furthermore
too again still ever even only quite rather please kindly nonetheless nevertheless however though
report article piece news story according overall honestly simply want wanted simple terms
paper newspaper newspapers
brief briefly mainly mostly such put able
whats wats wht wut whts whens hows wheres whos whys fully completely totally btw anyway itself
up down out over under off
going goes happening happened happen between looking look looks like seems seem regarding
concerning thing things stuff side wise
hi hello hey dear sir bro brother guys anyone wondering wonder curious question ask asking
yo lol lmao haha hahaha bruh omg wow umm uh
s t d ll ve re m
now always told isn aren doesn didn wasn weren keeps currently
word words phrase world well angle aspect outright hood view views grounds plain layman laymans
deal situation status
summarise summarize summary overview outline faced facing own lately factor factors
"""

FUNCTION_WORDS: frozenset[str] = frozenset((_BENGALI + _BANGLISH + _ENGLISH).split())
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(_ENGLISH.split())
