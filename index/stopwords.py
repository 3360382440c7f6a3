"""Stop words for lexical retrieval: function words and question words.

Question words are included because an answer sentence never contains them
("कितने", "who"): matching them only rewards other questions.
"""

ENGLISH = frozenset(
    """
    a about above according after again against all also am an and any are aren't as at be
    because been before being below between both but by can cannot could did do does doing
    down during each few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just let many me more most much my myself
    no nor not now of off on once only or other ought our ours ourselves out over own said
    same says she should so some such tell than that the their theirs them themselves then
    there these they this those through to told too under until up upon very was we were
    what when where which while who whom whose why will with would you your yours yourself
    yourselves
    """.split()
)

HINDI = frozenset(
    """
    अंदर अत अपना अपनी अपने अभी आदि आप इत्यादि इन इनका इन्हीं इन्हें इन्हों इस इसका इसकी इसके
    इसमें इसी इसे उन उनका उनकी उनके उनको उन्हीं उन्हें उन्हों उस उसके उसी उसे एक एवं एस ऐसे
    और कई कब कर करता करते करना करने करें कहते कहा कहाँ कहां का काफ़ी कि किए कितना कितनी
    कितने किन किनकी किनके किनसे किन्हें किन्हों किया किये किर किस किसकी किसके किसको किसने
    किसी किसे की कुछ कुल के कैसे को कोई कौन कौनसा कौनसी कौनसे क्या क्यों गई गए गया गयी गये
    घर जब जहाँ जहां जा जिन जिन्हें जिन्हों जिस जिसे जीधर जैसा जैसे जो तक तब तरह तिन तिन्हें
    तिन्हों तिस तिसे तो था था। थी थे दबारा दिया दुसरा दूसरे दो द्वारा न नके नहीं ना निहायत
    नीचे ने पर पहले पूरा पे फिर बनी बही बहुत बाद बाला बिलकुल भी भीतर मगर मानो मे में यदि यह
    यहाँ यहां यही या यिह ये रखें रहा रही रहे ऱ्वासा लिए लिये लेकिन व वग़ैरह वर्ग वह वहाँ
    वहां वहिं वहीं वाले वुह वे संग सकता सकते सबसे सभी साथ साबुत साभ सारा से सो ही हुआ हुई
    हुए हुये है हैं हो होता होती होते होना होने
    """.split()
)
