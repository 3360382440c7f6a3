"""Synthetic Hindi and English news for the benchmark.

Articles recombine sentence templates (six beats: roads and bridges, company
results, satellites, cricket, dams, hospitals) with varied names, places and
numbers. Every article names one entity no other article names (a made-up
proper noun, spelt in Latin or Devanagari) and states one fact about it, so a
question generated from that fact has exactly one right article: retrieval
quality can be measured at any corpus size. Article `n` is the same for the
same seed, whatever else is generated.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ARTICLES_PER_FILE = 200

# (Latin, Devanagari) pairs, so an English and a Hindi article can name the same kind of thing.
_SYLLABLES = [
    ("ka", "का"), ("ve", "वे"), ("lo", "लो"), ("ra", "रा"), ("su", "सु"), ("ni", "नी"),
    ("ta", "ता"), ("mo", "मो"), ("di", "दी"), ("pa", "पा"), ("re", "रे"), ("shi", "शी"),
    ("va", "वा"), ("no", "नो"), ("ga", "गा"), ("mi", "मी"), ("to", "टो"), ("la", "ला"),
    ("ru", "रु"), ("de", "दे"), ("sa", "सा"), ("bo", "बो"), ("ha", "हा"), ("ke", "के"),
    ("ja", "जा"), ("vi", "वी"), ("na", "ना"), ("po", "पो"), ("chi", "ची"), ("ma", "मा"),
    ("ti", "ती"), ("go", "गो"),
]  # fmt: skip
_NAME_SPACE = len(_SYLLABLES) ** 4
_NAME_STEP = 7919  # prime, so number -> name is one-to-one over _NAME_SPACE

_FIRST = [
    ("Ravi", "रवि"), ("Sunita", "सुनीता"), ("Amit", "अमित"), ("Priya", "प्रिया"),
    ("Rajesh", "राजेश"), ("Kavita", "कविता"), ("Sanjay", "संजय"), ("Neha", "नेहा"),
    ("Vikram", "विक्रम"), ("Anjali", "अंजलि"), ("Manoj", "मनोज"), ("Pooja", "पूजा"),
    ("Arjun", "अर्जुन"), ("Deepa", "दीपा"), ("Suresh", "सुरेश"), ("Meena", "मीना"),
    ("Rahul", "राहुल"), ("Shalini", "शालिनी"), ("Alok", "आलोक"), ("Rekha", "रेखा"),
    ("Nitin", "नितिन"), ("Farah", "फ़रहा"), ("Imran", "इमरान"), ("Gurpreet", "गुरप्रीत"),
]  # fmt: skip
_LAST = [
    ("Sharma", "शर्मा"), ("Patil", "पाटिल"), ("Verma", "वर्मा"), ("Iyer", "अय्यर"),
    ("Singh", "सिंह"), ("Yadav", "यादव"), ("Gupta", "गुप्ता"), ("Kulkarni", "कुलकर्णी"),
    ("Reddy", "रेड्डी"), ("Mishra", "मिश्रा"), ("Chauhan", "चौहान"), ("Joshi", "जोशी"),
    ("Nair", "नायर"), ("Banerjee", "बनर्जी"), ("Khan", "ख़ान"), ("Das", "दास"),
    ("Mehta", "मेहता"), ("Pandey", "पांडेय"),
]  # fmt: skip
# (city, state) in both scripts
_PLACES = [
    ("Pune", "पुणे", "Maharashtra", "महाराष्ट्र"),
    ("Nagpur", "नागपुर", "Maharashtra", "महाराष्ट्र"),
    ("Lucknow", "लखनऊ", "Uttar Pradesh", "उत्तर प्रदेश"),
    ("Varanasi", "वाराणसी", "Uttar Pradesh", "उत्तर प्रदेश"),
    ("Jaipur", "जयपुर", "Rajasthan", "राजस्थान"),
    ("Udaipur", "उदयपुर", "Rajasthan", "राजस्थान"),
    ("Bhopal", "भोपाल", "Madhya Pradesh", "मध्य प्रदेश"),
    ("Indore", "इंदौर", "Madhya Pradesh", "मध्य प्रदेश"),
    ("Patna", "पटना", "Bihar", "बिहार"),
    ("Ahmedabad", "अहमदाबाद", "Gujarat", "गुजरात"),
    ("Surat", "सूरत", "Gujarat", "गुजरात"),
    ("Chennai", "चेन्नई", "Tamil Nadu", "तमिलनाडु"),
    ("Bengaluru", "बेंगलुरु", "Karnataka", "कर्नाटक"),
    ("Hyderabad", "हैदराबाद", "Telangana", "तेलंगाना"),
    ("Kolkata", "कोलकाता", "West Bengal", "पश्चिम बंगाल"),
    ("Bhubaneswar", "भुवनेश्वर", "Odisha", "ओडिशा"),
    ("Dehradun", "देहरादून", "Uttarakhand", "उत्तराखंड"),
    ("Shimla", "शिमला", "Himachal Pradesh", "हिमाचल प्रदेश"),
    ("Raipur", "रायपुर", "Chhattisgarh", "छत्तीसगढ़"),
    ("Ranchi", "रांची", "Jharkhand", "झारखंड"),
    ("Chandigarh", "चंडीगढ़", "Punjab", "पंजाब"),
    ("Guwahati", "गुवाहाटी", "Assam", "असम"),
]
_OUTLETS = {
    "en": ["The Daily Ledger", "Metro Chronicle", "National Courier", "Deccan Dispatch"],
    "hi": ["दैनिक समाचार", "जनवाणी", "नवभारत दर्पण", "राष्ट्र प्रहरी"],
}
_WEEKDAYS = [
    ("Monday", "सोमवार"), ("Tuesday", "मंगलवार"), ("Wednesday", "बुधवार"),
    ("Thursday", "गुरुवार"), ("Friday", "शुक्रवार"), ("Saturday", "शनिवार"), ("Sunday", "रविवार"),
]  # fmt: skip
_MONTHS = [
    ("January", "जनवरी"), ("February", "फ़रवरी"), ("March", "मार्च"), ("April", "अप्रैल"),
    ("May", "मई"), ("June", "जून"), ("July", "जुलाई"), ("August", "अगस्त"),
    ("September", "सितंबर"), ("October", "अक्टूबर"), ("November", "नवंबर"), ("December", "दिसंबर"),
]  # fmt: skip
_OFFICIALS = [
    ("chief minister", "मुख्यमंत्री"), ("district collector", "ज़िला कलेक्टर"),
    ("public works minister", "लोक निर्माण मंत्री"), ("municipal commissioner", "नगर आयुक्त"),
    ("project director", "परियोजना निदेशक"), ("finance secretary", "वित्त सचिव"),
]  # fmt: skip


@dataclass(frozen=True)
class _Beat:
    """One kind of story: its kinds of entity, templates per language, the planted
    fact's value range and how the answer to its question is written."""

    kinds: list[tuple[str, str]]
    value: tuple[int, int]
    title: dict[str, str]
    lead: dict[str, str]
    fact: dict[str, str]
    question: dict[str, str]
    answer: dict[str, str]
    context: dict[str, list[str]]
    filler: dict[str, list[str]]


_BEATS = [
    _Beat(
        kinds=[
            ("bridge", "पुल"),
            ("expressway", "एक्सप्रेसवे"),
            ("metro line", "मेट्रो लाइन"),
            ("water supply project", "जलापूर्ति परियोजना"),
            ("ring road", "रिंग रोड"),
        ],
        value=(200, 20000),
        title={
            "en": "{state} approves Rs {value} crore {entity} {kind}",
            "hi": "{state} में {entity} {kind} को मंज़ूरी, {value} करोड़ रुपये की लागत",
        },
        lead={
            "en": "{city}: The {state} government on {day} approved the {entity} {kind}, a long-pending demand of residents of {city} and nearby districts.",
            "hi": "{city}: {state} सरकार ने {day} को {entity} {kind} को मंज़ूरी दे दी, जिसकी मांग {city} और आसपास के ज़िलों के लोग लंबे समय से कर रहे थे।",
        },
        fact={
            "en": "The {entity} {kind} will cost Rs {value} crore and is expected to be completed by {month} {future}, {official} {person} said.",
            "hi": "{official} {person} ने बताया कि {entity} {kind} पर {value} करोड़ रुपये की लागत आएगी और इसे {month} {future} तक पूरा करने का लक्ष्य है।",
        },
        question={
            "en": "How much will the {entity} {kind} cost?",
            "hi": "{entity} {kind} पर कितनी लागत आएगी?",
        },
        answer={"en": "{value} crore", "hi": "{value} करोड़"},
        context={
            "en": [
                "Work on the {entity} {kind} will be carried out in {n1} phases, and the first tenders will be issued within {n2} weeks.",
                "Officials said the {entity} {kind} would cut travel time between {city} and {city2} by nearly {n3} minutes.",
                "Land acquisition for the {entity} {kind} is {pct} per cent complete, according to the district administration.",
            ],
            "hi": [
                "{entity} {kind} का काम {n1} चरणों में होगा और पहले चरण की निविदाएं {n2} हफ़्तों के भीतर जारी की जाएंगी।",
                "अधिकारियों के अनुसार {entity} {kind} बनने से {city} और {city2} के बीच सफ़र का समय करीब {n3} मिनट कम हो जाएगा।",
                "ज़िला प्रशासन के मुताबिक {entity} {kind} के लिए {pct} प्रतिशत भूमि अधिग्रहण पूरा हो चुका है।",
            ],
        },
        filler={
            "en": [
                "The state cabinet also cleared {n1} other road projects worth a combined Rs {n4} crore.",
                "Traffic on the existing route has grown by {pct} per cent over the past {n2} years, a survey by the transport department found.",
                "Opposition leader {person2} welcomed the decision but asked the government to publish a clear timeline.",
                "Residents of {city2} have long complained about congestion during the monsoon months.",
                "The project will be funded jointly by the state and a loan from a multilateral bank, officials said.",
                "A detailed project report was submitted to the cabinet in {month} last year.",
                "Environmental clearance for the work was granted after a public hearing in {city2}.",
                "Contractors will be required to hire local workers for at least {pct} per cent of the jobs created.",
            ],
            "hi": [
                "राज्य मंत्रिमंडल ने कुल {n4} करोड़ रुपये की {n1} अन्य सड़क परियोजनाओं को भी हरी झंडी दी।",
                "परिवहन विभाग के एक सर्वेक्षण के अनुसार पिछले {n2} वर्षों में मौजूदा मार्ग पर यातायात {pct} प्रतिशत बढ़ा है।",
                "विपक्ष के नेता {person2} ने फ़ैसले का स्वागत किया, लेकिन सरकार से स्पष्ट समय-सीमा जारी करने की मांग की।",
                "{city2} के निवासी बरसात के महीनों में जाम की शिकायत लंबे समय से करते रहे हैं।",
                "अधिकारियों ने बताया कि परियोजना का खर्च राज्य सरकार और एक बहुपक्षीय बैंक के ऋण से मिलकर उठाया जाएगा।",
                "विस्तृत परियोजना रिपोर्ट पिछले साल {month} में मंत्रिमंडल को सौंपी गई थी।",
                "{city2} में जन सुनवाई के बाद काम के लिए पर्यावरण मंज़ूरी दी गई।",
                "ठेकेदारों को कम से कम {pct} प्रतिशत रोज़गार स्थानीय मज़दूरों को देना होगा।",
            ],
        },
    ),
    _Beat(
        kinds=[
            ("Industries", "इंडस्ट्रीज़"),
            ("Technologies", "टेक्नोलॉजीज़"),
            ("Motors", "मोटर्स"),
            ("Pharma", "फ़ार्मा"),
            ("Foods", "फ़ूड्स"),
        ],
        value=(10, 9000),
        title={
            "en": "{entity} {kind} profit rises {pct}% in {quarter} quarter",
            "hi": "{quarter} तिमाही में {entity} {kind} का मुनाफ़ा {pct} प्रतिशत बढ़ा",
        },
        lead={
            "en": "{city}: {entity} {kind}, the {city}-based company, on {day} reported higher earnings for the {quarter} quarter on strong domestic demand.",
            "hi": "{city}: {city} स्थित कंपनी {entity} {kind} ने {day} को घरेलू मांग में मज़बूती के चलते {quarter} तिमाही के बेहतर नतीजे जारी किए।",
        },
        fact={
            "en": "{entity} {kind} reported a net profit of Rs {value} crore for the {quarter} quarter, up {pct} per cent from a year earlier.",
            "hi": "{entity} {kind} ने {quarter} तिमाही में {value} करोड़ रुपये का शुद्ध लाभ कमाया, जो पिछले साल की इसी अवधि से {pct} प्रतिशत अधिक है।",
        },
        question={
            "en": "What net profit did {entity} {kind} report for the {quarter} quarter?",
            "hi": "{quarter} तिमाही में {entity} {kind} ने कितना शुद्ध लाभ कमाया?",
        },
        answer={"en": "{value} crore", "hi": "{value} करोड़"},
        context={
            "en": [
                "Revenue from operations at {entity} {kind} rose to Rs {n4} crore, the company said in a filing to the stock exchanges.",
                "Shares of {entity} {kind} closed {pct2} per cent higher on the National Stock Exchange after the results.",
                "Managing director {person} said {entity} {kind} plans to open {n1} new plants over the next {few} years.",
            ],
            "hi": [
                "शेयर बाज़ार को दी गई जानकारी में {entity} {kind} ने बताया कि परिचालन से आय बढ़कर {n4} करोड़ रुपये हो गई।",
                "नतीजों के बाद नेशनल स्टॉक एक्सचेंज पर {entity} {kind} के शेयर {pct2} प्रतिशत चढ़कर बंद हुए।",
                "प्रबंध निदेशक {person} ने कहा कि {entity} {kind} अगले {few} वर्षों में {n1} नए संयंत्र खोलेगी।",
            ],
        },
        filler={
            "en": [
                "Analysts had expected a smaller rise because of higher raw material costs.",
                "The company's board recommended a dividend of Rs {n1} per share.",
                "Exports accounted for about {pct} per cent of sales during the quarter.",
                "The company added {n3} employees during the period, taking its workforce to over {n5}.",
                "Brokerage firms raised their target price for the stock after the earnings call.",
                "Rural demand recovered after a good monsoon, the management said.",
                "Operating margins improved by {n1} percentage points, helped by lower freight costs.",
                "The company said it would spend Rs {n2}0 crore on research and development this year.",
            ],
            "hi": [
                "कच्चे माल की ऊंची कीमतों के कारण विश्लेषकों को इससे कम बढ़त की उम्मीद थी।",
                "कंपनी के बोर्ड ने {n1} रुपये प्रति शेयर लाभांश की सिफ़ारिश की।",
                "तिमाही के दौरान कुल बिक्री में निर्यात का हिस्सा करीब {pct} प्रतिशत रहा।",
                "इस अवधि में कंपनी ने {n3} कर्मचारियों की भर्ती की, जिससे कुल कर्मचारियों की संख्या {n5} से अधिक हो गई।",
                "नतीजों के बाद ब्रोकरेज फ़र्मों ने शेयर का लक्ष्य मूल्य बढ़ा दिया।",
                "प्रबंधन ने कहा कि अच्छे मानसून के बाद ग्रामीण मांग में सुधार हुआ है।",
                "माल ढुलाई की कम लागत की मदद से परिचालन मार्जिन {n1} प्रतिशत अंक सुधरा।",
                "कंपनी ने कहा कि वह इस साल अनुसंधान और विकास पर {n2}0 करोड़ रुपये खर्च करेगी।",
            ],
        },
    ),
    _Beat(
        kinds=[("navigation", "नेविगेशन"), ("weather", "मौसम"), ("communication", "संचार")],
        value=(5, 15),
        title={
            "en": "{entity}-{k} {kind} satellite placed in orbit from Sriharikota",
            "hi": "{entity}-{k} {kind} उपग्रह श्रीहरिकोटा से सफलतापूर्वक कक्षा में स्थापित",
        },
        lead={
            "en": "Sriharikota: The space agency on {day} launched the {entity}-{k} {kind} satellite from the second launch pad at the Satish Dhawan Space Centre.",
            "hi": "श्रीहरिकोटा: अंतरिक्ष एजेंसी ने {day} को सतीश धवन अंतरिक्ष केंद्र के दूसरे लॉन्च पैड से {entity}-{k} {kind} उपग्रह का सफल प्रक्षेपण किया।",
        },
        fact={
            "en": "The {entity}-{k} satellite weighs {n5} kg and has a designed mission life of {value} years, project director {person} said.",
            "hi": "परियोजना निदेशक {person} ने बताया कि {entity}-{k} उपग्रह का वज़न {n5} किलोग्राम है और इसका मिशन जीवन {value} वर्ष रखा गया है।",
        },
        question={
            "en": "What is the mission life of the {entity}-{k} satellite?",
            "hi": "{entity}-{k} उपग्रह का मिशन जीवन कितना है?",
        },
        answer={"en": "{value} years", "hi": "{value} वर्ष"},
        context={
            "en": [
                "The rocket carrying {entity}-{k} lifted off at {hour}:{minute} and placed the satellite in orbit about {n3} minutes later.",
                "Ground stations in {city} began receiving signals from {entity}-{k} shortly after separation.",
                "{entity}-{k} will replace an older satellite whose atomic clocks failed in {past}.",
            ],
            "hi": [
                "{entity}-{k} को ले जाने वाले रॉकेट ने {hour}:{minute} बजे उड़ान भरी और करीब {n3} मिनट बाद उपग्रह को कक्षा में पहुंचा दिया।",
                "अलग होने के कुछ ही देर बाद {city} के ग्राउंड स्टेशनों को {entity}-{k} से संकेत मिलने लगे।",
                "{entity}-{k} एक पुराने उपग्रह की जगह लेगा, जिसकी परमाणु घड़ियां {past} में ख़राब हो गई थीं।",
            ],
        },
        filler={
            "en": [
                "This was the agency's {nth} launch this year.",
                "Scientists at the mission control centre applauded as the rocket cleared the tower.",
                "The navigation system is used by fishermen, airlines and disaster management authorities.",
                "The agency plans {n1} more launches before {month}.",
                "The satellite carries a payload built entirely in Indian laboratories.",
                "Orbit-raising manoeuvres will be carried out over the next {n2} days.",
                "The launch had been postponed once because of bad weather over the Bay of Bengal.",
                "Officials said the mission cost about Rs {n4} crore.",
            ],
            "hi": [
                "यह इस साल एजेंसी का {n1}वां प्रक्षेपण था।",
                "रॉकेट के टावर से ऊपर निकलते ही मिशन नियंत्रण केंद्र में वैज्ञानिकों ने तालियां बजाईं।",
                "नेविगेशन प्रणाली का इस्तेमाल मछुआरे, विमान कंपनियां और आपदा प्रबंधन प्राधिकरण करते हैं।",
                "एजेंसी की योजना {month} से पहले {n1} और प्रक्षेपण करने की है।",
                "उपग्रह का पेलोड पूरी तरह भारतीय प्रयोगशालाओं में बनाया गया है।",
                "अगले {n2} दिनों में कक्षा ऊपर उठाने की प्रक्रियाएं पूरी की जाएंगी।",
                "बंगाल की खाड़ी के ऊपर ख़राब मौसम के कारण प्रक्षेपण एक बार टाला गया था।",
                "अधिकारियों ने बताया कि मिशन पर करीब {n4} करोड़ रुपये खर्च हुए।",
            ],
        },
    ),
    _Beat(
        kinds=[("Trophy", "ट्रॉफ़ी"), ("Cup", "कप"), ("Shield", "शील्ड")],
        value=(0, 0),  # the answer is a player, not a number
        title={
            "en": "{state} beat {state2} to win {entity} {kind}",
            "hi": "{state} ने {state2} को हराकर {entity} {kind} जीती",
        },
        lead={
            "en": "{city}: {state} won the {entity} {kind} on {day}, beating {state2} by {n1} wickets in a tense final at the district stadium.",
            "hi": "{city}: {state} ने {day} को ज़िला स्टेडियम में खेले गए रोमांचक फ़ाइनल में {state2} को {n1} विकेट से हराकर {entity} {kind} अपने नाम कर ली।",
        },
        fact={
            "en": "Opener {player} scored {runs} runs off {balls} balls in the {entity} {kind} final and was named player of the match.",
            "hi": "{entity} {kind} के फ़ाइनल में सलामी बल्लेबाज़ {player} ने {balls} गेंदों पर {runs} रन बनाए और उन्हें प्लेयर ऑफ़ द मैच चुना गया।",
        },
        question={
            "en": "Who was named player of the match in the {entity} {kind} final?",
            "hi": "{entity} {kind} के फ़ाइनल में प्लेयर ऑफ़ द मैच किसे चुना गया?",
        },
        answer={"en": "{player}", "hi": "{player}"},
        context={
            "en": [
                "{state2} had earlier been bowled out for {total} after choosing to bat first in the {entity} {kind} final.",
                "This is the {nth} time {state} has lifted the {entity} {kind} since the tournament began in {past0}.",
                "Spinner {person2} took {wickets} wickets for {n2} runs to keep the {entity} {kind} final under control.",
            ],
            "hi": [
                "{entity} {kind} के फ़ाइनल में पहले बल्लेबाज़ी चुनने के बाद {state2} की टीम {total} रन पर सिमट गई।",
                "{past0} में टूर्नामेंट शुरू होने के बाद से {state} ने {n1}वीं बार {entity} {kind} जीती है।",
                "स्पिनर {person2} ने {n2} रन देकर {wickets} विकेट लिए और {entity} {kind} के फ़ाइनल में रन गति पर लगाम लगाई।",
            ],
        },
        filler={
            "en": [
                "A crowd of nearly {n5} spectators watched the match despite the heat.",
                "The winning team will receive prize money of Rs {n2} lakh.",
                "Selectors from the national team were present at the ground.",
                "Rain delayed the start of play by about {n3} minutes.",
                "The captain praised the young bowlers for sticking to their plans.",
                "The losing side dropped {n1} catches in the field.",
                "The next edition of the tournament will be held in {city2}.",
                "Both teams observed a minute's silence before the match.",
            ],
            "hi": [
                "गर्मी के बावजूद करीब {n5} दर्शकों ने मैच देखा।",
                "विजेता टीम को {n2} लाख रुपये की इनामी राशि मिलेगी।",
                "मैदान पर राष्ट्रीय टीम के चयनकर्ता भी मौजूद थे।",
                "बारिश के कारण खेल करीब {n3} मिनट देर से शुरू हुआ।",
                "कप्तान ने युवा गेंदबाज़ों की योजना पर टिके रहने के लिए तारीफ़ की।",
                "हारने वाली टीम ने क्षेत्ररक्षण में {n1} कैच छोड़े।",
                "टूर्नामेंट का अगला संस्करण {city2} में होगा।",
                "मैच से पहले दोनों टीमों ने एक मिनट का मौन रखा।",
            ],
        },
    ),
    _Beat(
        kinds=[("dam", "बांध")],
        value=(40, 2900),
        title={
            "en": "{entity} dam reaches {pct}% of capacity after heavy rain",
            "hi": "भारी बारिश के बाद {entity} बांध {pct} प्रतिशत भरा",
        },
        lead={
            "en": "{city}: Heavy rain in the catchment areas over the past {n1} days has raised the water level of the {entity} dam, the main source of drinking water for {city}.",
            "hi": "{city}: जलग्रहण क्षेत्रों में पिछले {n1} दिनों से हो रही भारी बारिश से {city} में पेयजल के मुख्य स्रोत {entity} बांध का जलस्तर बढ़ गया है।",
        },
        fact={
            "en": "The {entity} dam has a storage capacity of {value} million cubic metres and is now {pct} per cent full, executive engineer {person} said.",
            "hi": "कार्यकारी अभियंता {person} ने बताया कि {entity} बांध की भंडारण क्षमता {value} मिलियन घन मीटर है और यह अभी {pct} प्रतिशत भरा हुआ है।",
        },
        question={
            "en": "What is the storage capacity of the {entity} dam?",
            "hi": "{entity} बांध की भंडारण क्षमता कितनी है?",
        },
        answer={"en": "{value} million", "hi": "{value} मिलियन"},
        context={
            "en": [
                "Authorities opened {n1} gates of the {entity} dam on {day} and released water into the river.",
                "Villages downstream of the {entity} dam have been asked to stay alert.",
                "The {entity} dam was built in {past0} and also irrigates about {n5} hectares of farmland.",
            ],
            "hi": [
                "अधिकारियों ने {day} को {entity} बांध के {n1} गेट खोलकर नदी में पानी छोड़ा।",
                "{entity} बांध के निचले इलाकों के गांवों को सतर्क रहने को कहा गया है।",
                "{entity} बांध {past0} में बना था और इससे करीब {n5} हेक्टेयर खेतों की सिंचाई भी होती है।",
            ],
        },
        filler={
            "en": [
                "The weather office has forecast more rain over the next {n2} days.",
                "Farmers in the region said the rain would help the sowing of soybean and cotton.",
                "The city's water cut will be withdrawn from next week, the municipal commissioner said.",
                "Rainfall this season has been {pct2} per cent above normal.",
                "Disaster response teams have been stationed in {n1} low-lying areas.",
                "Schools in {city2} remained closed on {day} as a precaution.",
                "Several roads were waterlogged and traffic moved slowly through the morning.",
                "Officials said reservoir levels across the state were better than last year.",
            ],
            "hi": [
                "मौसम विभाग ने अगले {n2} दिनों में और बारिश का अनुमान जताया है।",
                "इलाके के किसानों ने कहा कि बारिश से सोयाबीन और कपास की बुवाई में मदद मिलेगी।",
                "नगर आयुक्त ने कहा कि शहर में पानी की कटौती अगले हफ़्ते से वापस ले ली जाएगी।",
                "इस मौसम में बारिश सामान्य से {pct2} प्रतिशत अधिक हुई है।",
                "{n1} निचले इलाकों में आपदा राहत दल तैनात किए गए हैं।",
                "एहतियात के तौर पर {day} को {city2} के स्कूल बंद रहे।",
                "कई सड़कों पर पानी भर गया और सुबह यातायात धीमा रहा।",
                "अधिकारियों ने बताया कि राज्य भर के जलाशयों का स्तर पिछले साल से बेहतर है।",
            ],
        },
    ),
    _Beat(
        kinds=[("district hospital", "ज़िला अस्पताल"), ("cancer hospital", "कैंसर अस्पताल")],
        value=(60, 1500),
        title={
            "en": "New {entity} {kind} to open in {city}",
            "hi": "{city} में खुलेगा नया {entity} {kind}",
        },
        lead={
            "en": "{city}: The {state} health department on {day} laid the foundation stone of the {entity} {kind} on the outskirts of {city}.",
            "hi": "{city}: {state} के स्वास्थ्य विभाग ने {day} को {city} के बाहरी इलाके में {entity} {kind} की आधारशिला रखी।",
        },
        fact={
            "en": "The {entity} {kind} will have {value} beds, including {n2} intensive care beds, health minister {person} said.",
            "hi": "स्वास्थ्य मंत्री {person} ने बताया कि {entity} {kind} में {value} बिस्तर होंगे, जिनमें {n2} गहन चिकित्सा बिस्तर शामिल हैं।",
        },
        question={
            "en": "How many beds will the {entity} {kind} have?",
            "hi": "{entity} {kind} में कितने बिस्तर होंगे?",
        },
        answer={"en": "{value} beds", "hi": "{value} बिस्तर"},
        context={
            "en": [
                "The {entity} {kind} is being built at a cost of Rs {n4} crore on a {n1}-acre campus.",
                "Doctors for the {entity} {kind} will be recruited through a special drive starting in {month}.",
                "Patients from {city2} now travel more than {n3} km for treatment that the {entity} {kind} will offer.",
            ],
            "hi": [
                "{entity} {kind} {n1} एकड़ के परिसर में {n4} करोड़ रुपये की लागत से बनाया जा रहा है।",
                "{entity} {kind} के लिए डॉक्टरों की भर्ती {month} से शुरू होने वाले विशेष अभियान के ज़रिए होगी।",
                "{city2} के मरीज़ों को अभी उस इलाज के लिए {n3} किलोमीटर से ज़्यादा सफ़र करना पड़ता है, जो {entity} {kind} में मिलेगा।",
            ],
        },
        filler={
            "en": [
                "The district has only {n1} specialist doctors for every lakh people, a government report found.",
                "A medical college will be attached to the hospital from the next academic year.",
                "The minister also inaugurated a mobile health van service for remote villages.",
                "Local residents had protested for years demanding better health facilities.",
                "The hospital will run a round-the-clock emergency ward and a trauma centre.",
                "Construction is expected to take about {n2} months.",
                "Officials said the building would use solar power for part of its needs.",
                "Free dialysis will be offered to patients holding government health cards.",
            ],
            "hi": [
                "एक सरकारी रिपोर्ट के अनुसार ज़िले में प्रति लाख आबादी पर केवल {n1} विशेषज्ञ डॉक्टर हैं।",
                "अगले शैक्षणिक सत्र से अस्पताल के साथ एक मेडिकल कॉलेज भी जोड़ा जाएगा।",
                "मंत्री ने दूरदराज़ के गांवों के लिए मोबाइल स्वास्थ्य वैन सेवा का भी उद्घाटन किया।",
                "स्थानीय लोग बेहतर स्वास्थ्य सुविधाओं की मांग को लेकर वर्षों से आंदोलन कर रहे थे।",
                "अस्पताल में चौबीसों घंटे चलने वाला आपातकालीन वार्ड और ट्रॉमा सेंटर होगा।",
                "निर्माण में करीब {n2} महीने लगने की उम्मीद है।",
                "अधिकारियों ने बताया कि इमारत की बिजली की ज़रूरत का एक हिस्सा सौर ऊर्जा से पूरा होगा।",
                "सरकारी स्वास्थ्य कार्ड रखने वाले मरीज़ों को मुफ़्त डायलिसिस की सुविधा मिलेगी।",
            ],
        },
    ),
]

_GENERAL = {
    "en": [
        "The announcement was made at a press conference in {city} on {day}.",
        "{person2}, a resident of {city2}, said people had waited a long time for such news.",
        "Officials said a review meeting would be held every {n1} weeks.",
        "The state government has set aside Rs {n4} crore for similar work in the current budget.",
        "Local representatives from {n1} constituencies attended the meeting.",
        "A senior official, who did not wish to be named, said the timeline was ambitious.",
        "The district administration has set up a helpline for citizens.",
        "Further details will be shared on the department's website, officials said.",
        "The decision comes {n2} months ahead of the assembly elections in {state}.",
        "Similar measures were announced in {city2} in {past0}.",
    ],
    "hi": [
        "यह घोषणा {day} को {city} में एक संवाददाता सम्मेलन में की गई।",
        "{city2} के निवासी {person2} ने कहा कि लोग लंबे समय से ऐसी ख़बर का इंतज़ार कर रहे थे।",
        "अधिकारियों ने बताया कि हर {n1} हफ़्ते में समीक्षा बैठक होगी।",
        "राज्य सरकार ने मौजूदा बजट में ऐसे कामों के लिए {n4} करोड़ रुपये रखे हैं।",
        "बैठक में {n1} विधानसभा क्षेत्रों के स्थानीय प्रतिनिधि शामिल हुए।",
        "नाम न छापने की शर्त पर एक वरिष्ठ अधिकारी ने कहा कि समय-सीमा महत्वाकांक्षी है।",
        "ज़िला प्रशासन ने नागरिकों के लिए एक हेल्पलाइन शुरू की है।",
        "अधिकारियों ने बताया कि और जानकारी विभाग की वेबसाइट पर दी जाएगी।",
        "यह फ़ैसला {state} में विधानसभा चुनाव से {n2} महीने पहले आया है।",
        "{past0} में {city2} में भी इसी तरह के कदमों की घोषणा की गई थी।",
    ],
}

# Sentences per article: (fillers from the beat, general fillers). Hindi copy is
# shorter, as it tends to be, and costs the bundled model ~3x the word pieces.
_LENGTHS = {"en": ((5, 8), (2, 5)), "hi": ((2, 4), (1, 2))}


@dataclass(frozen=True)
class NewsItem:
    title: str
    text: str
    language: str
    date: str
    outlet: str
    url: str
    question: str  # asks for the planted fact
    answer: str  # the fact as the article writes it


def entity_name(number: int, seed: int) -> tuple[str, str]:
    """A made-up proper noun (Latin, Devanagari) that no other article number shares."""
    code = (number * _NAME_STEP + seed * 104_729) % _NAME_SPACE
    parts = []
    for _ in range(4):
        code, digit = divmod(code, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(p[0] for p in parts).capitalize(), "".join(p[1] for p in parts)


def news_item(number: int, seed: int) -> NewsItem:
    """Article `number`: Hindi for odd numbers, English for even ones."""
    rng = random.Random(seed * 1_000_003 + number)
    lang = "hi" if number % 2 else "en"
    script = 1 if lang == "hi" else 0
    beat = _BEATS[rng.randrange(len(_BEATS))]
    place, place2 = rng.sample(_PLACES, 2)
    slots: dict[str, Any] = {
        "entity": entity_name(number, seed)[script],
        "kind": rng.choice(beat.kinds)[script],
        "city": place[script],
        "state": place[2 + script],
        "city2": place2[script],
        "state2": place2[2 + script],
        "person": _person(rng, script),
        "person2": _person(rng, script),
        "player": _person(rng, script),
        "official": rng.choice(_OFFICIALS)[script],
        "day": rng.choice(_WEEKDAYS)[script],
        "month": rng.choice(_MONTHS)[script],
        "quarter": rng.choice(["April-June", "July-September", "October-December"])
        if lang == "en"
        else rng.choice(["अप्रैल-जून", "जुलाई-सितंबर", "अक्टूबर-दिसंबर"]),
        "value": rng.randint(*beat.value),
        "n1": (n1 := rng.randint(2, 9)),
        "nth": f"{n1}{ {2: 'nd', 3: 'rd'}.get(n1, 'th') }",
        "few": rng.randint(2, 5),
        "n2": rng.randint(10, 60),
        "n3": rng.randint(15, 90),
        "n4": rng.randint(100, 5000),
        "n5": rng.randint(1000, 50000),
        "pct": rng.randint(10, 95),
        "pct2": rng.randint(1, 15),
        "past0": rng.randint(1960, 2015),
        "past": rng.randint(2010, 2023),
        "future": rng.randint(2026, 2030),
        "hour": f"{rng.randint(6, 18):02d}",
        "minute": f"{rng.randint(0, 59):02d}",
        "k": rng.randint(1, 20),
        "runs": rng.randint(100, 180),
        "balls": rng.randint(60, 140),
        "total": rng.randint(120, 320),
        "wickets": rng.randint(2, 6),
    }
    topical, general = _LENGTHS[lang]
    body = [beat.fact[lang], *beat.context[lang]]
    body += rng.sample(beat.filler[lang], rng.randint(*topical))
    body += rng.sample(_GENERAL[lang], rng.randint(*general))
    rng.shuffle(body)
    sentences = [beat.lead[lang], *body]
    paragraphs = []
    while sentences:
        size = rng.randint(1, 3)
        paragraphs.append(" ".join(s.format(**slots) for s in sentences[:size]))
        sentences = sentences[size:]
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
    return NewsItem(
        title=beat.title[lang].format(**slots),
        text="\n\n".join(paragraphs),
        language=lang,
        date=published.isoformat(),
        outlet=rng.choice(_OUTLETS[lang]),
        url=f"https://news.example/{lang}/{published:%Y/%m}/{number}",
        question=beat.question[lang].format(**slots),
        answer=beat.answer[lang].format(**slots),
    )


def _person(rng: random.Random, script: int) -> str:
    return f"{rng.choice(_FIRST)[script]} {rng.choice(_LAST)[script]}"


def feed_ref(number: int, first: int, prefix: str) -> str:
    """The reference the loader gives article `number` (e.g. `feed-00003.jsonl#17`)."""
    offset = number - first
    return f"{prefix}-{offset // ARTICLES_PER_FILE:05d}.jsonl#{offset % ARTICLES_PER_FILE + 1}"


def write_feeds(folder: Path, numbers: range, seed: int, prefix: str = "feed") -> list[Path]:
    """Articles `numbers` as JSONL feeds of ARTICLES_PER_FILE records each."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(numbers.start, numbers.stop, ARTICLES_PER_FILE):
        path = folder / feed_ref(start, numbers.start, prefix).split("#")[0]
        with path.open("w", encoding="utf-8") as handle:
            for number in range(start, min(start + ARTICLES_PER_FILE, numbers.stop)):
                item = news_item(number, seed)
                record = {
                    "title": item.title,
                    "text": item.text,
                    "date": item.date,
                    "source": item.outlet,  # the feed format's name for it
                    "url": item.url,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


@dataclass(frozen=True)
class PlantedQuestion:
    question: str
    language: str
    gold: str  # the one article that answers it, as a feed reference
    answer: str


def planted_questions(
    numbers: range, count: int, seed: int, prefix: str = "feed"
) -> list[PlantedQuestion]:
    """`count` questions about articles spread evenly over `numbers`, alternating
    English and Hindi."""
    picked: list[int] = []
    for i in range(min(count, len(numbers))):
        number = numbers[int((i + 0.5) * len(numbers) / count)]
        if number % 2 != i % 2:  # odd numbers are the Hindi articles
            number = number + 1 if number + 1 < numbers.stop else number - 1
        if number not in picked and number >= numbers.start:
            picked.append(number)
    return [
        PlantedQuestion(
            item.question, item.language, feed_ref(n, numbers.start, prefix), item.answer
        )
        for n in picked
        for item in [news_item(n, seed)]
    ]
